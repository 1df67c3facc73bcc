//! The PX surface: `X-APTRINSIC-API-KEY` auth per region, admin, accounts, users, features,
//! segments, engagements, articles, KC bots, survey responses and every kind of event, as the PX
//! REST description (swagger v0.1.6) documents them. Each region is served under `/px/{us|eu|us2}/v1`.
//!
//! Endpoints (GET) and list keys:
//! - `/admin/subscription`, `/admin/model/{account|user}/attributes` (bare array)
//! - scroll paging (`pageSize` default 25, max 1000; `scrollId`; `filter`; `sort`):
//!   `/accounts` (`accounts`), `/users` (`users`), and the events, each list key as the
//!   description's page schema names it:
//!   `/events/feature_match` (`featureMatchEvents`), `/events/custom` (`customEvents`),
//!   `/events/email` (`results`), `/events/engagementView` (`results`), `/events/formSubmit`
//!   (`results`), `/events/identify` (`identifyEvents`), `/events/lead` (`results`),
//!   `/events/pageView` (`results`), `/events/segment_match` (`featureMatchEvents`, sic),
//!   `/events/session` (`sessionInitializedEvents`), `/survey/responses` (`results`)
//! - page-number paging (`pageNumber` from 0, `pageSize`; reply `pageNumber`, `isLastPage`):
//!   `/feature` (`features`, default 25, max 200), `/segment` (`segments`, default 25, max 200),
//!   `/engagement` (`engagements`, default 200, max 500), `/articles` (`articleExternalViewList`,
//!   default 200, max 500), `/kcbot` (`kcList`, default 200, max 500)
//! - `/feature/adoption/{featureId}` → `{totalEventCount, uniqueUserCount, uniqueAccountCount}`
//!
//! Events are filtered by `filter` (on `date` in epoch ms, e.g. `filter=date>=A;date<B`, and on the
//! fields each kind carries) and sorted by `sort` (`date`, `-date`, `accountId`, ...); without a date
//! filter the window is the last day before "now". `dateRangeStart`/`dateRangeEnd` are honoured by
//! `/events/custom` only (as documented), and ignored elsewhere. A window over 190 days is a 400
//! "Exceeded date range190days". See [`usage`].
//!
//! Every region serves the same subscription; a key works only under its own region's prefix. An
//! [`crate::OrgProfile`]'s `px_endpoints` make some endpoints answer 404 or 403 (after auth).

mod admin;
mod auth;
mod catalog;
mod data;
mod entities;
mod events;
mod filter;
mod model;
mod paging;
#[cfg(test)]
mod tests;
mod usage;

use crate::config::SimConfig;
use crate::rng::Rng;
use crate::schema::Store;
use crate::state::SimState;
use crate::time::DAY_MS;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use model::{Account, User};
use paging::Params;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The PX side of the simulated org, generated from the same seed and linked to CS companies by `gsId`.
#[derive(Default)]
pub struct PxData {
    seed: u64,
    anchor_day: i64,
    /// "Now" in epoch ms: noon of the anchor day.
    now: i64,
    subscription: Value,
    account_attributes: Value,
    user_attributes: Value,
    accounts: Vec<Account>,
    users: Vec<User>,
    account_index: HashMap<String, u32>,
    features: Vec<Value>,
    /// Indexes into `features` of the FEATURE-type features that events point at.
    tracked: Vec<usize>,
    segments: Vec<Value>,
    engagements: Vec<Value>,
    /// Indexes into `engagements` of the email, in-app and survey engagements events point at.
    email_engagements: Vec<usize>,
    view_engagements: Vec<usize>,
    survey_engagements: Vec<usize>,
    articles: Vec<Value>,
    kcbots: Vec<Value>,
}

impl PxData {
    pub fn generate(config: &SimConfig, cs: &Store, anchor_day: i64) -> PxData {
        let root = Rng::new(config.seed);
        let now = anchor_day * DAY_MS + 12 * 3_600_000;
        let cat = catalog::generate(&root, now);
        let people = data::generate(&root, cs, now, &cat.product_keys);
        let account_index =
            people.accounts.iter().enumerate().map(|(i, a)| (a.id.clone(), i as u32)).collect();
        let tracked = (0..cat.features.len()).filter(|&i| cat.features[i]["type"] == "FEATURE").collect();
        // Engagements still being edited have never run, so no event points at them.
        let of_types = |types: &[&str]| -> Vec<usize> {
            (0..cat.engagements.len())
                .filter(|&i| {
                    let g = &cat.engagements[i];
                    g["state"] != "EDITING" && g["type"].as_str().is_some_and(|t| types.contains(&t))
                })
                .collect()
        };
        let email_engagements = of_types(&["EMAIL", "OUT_BOUND_EMAIL"]);
        let view_engagements =
            of_types(&["IN_APP_DIALOG", "IN_APP_GUIDE", "IN_APP_CAROUSEL", "IN_APP_NOTIFICATION"]);
        let survey_engagements = of_types(&[
            "IN_APP_NPS_SURVEY",
            "IN_APP_CES_SURVEY",
            "IN_APP_RATING_SURVEY",
            "IN_APP_BOOLEAN_SURVEY",
            "IN_APP_MULTIPLE_QUESTION_SURVEY",
        ]);
        PxData {
            seed: config.seed,
            anchor_day,
            now,
            subscription: cat.subscription,
            account_attributes: cat.account_attributes,
            user_attributes: cat.user_attributes,
            accounts: people.accounts,
            users: people.users,
            account_index,
            features: cat.features,
            tracked,
            segments: cat.segments,
            engagements: cat.engagements,
            email_engagements,
            view_engagements,
            survey_engagements,
            articles: cat.articles,
            kcbots: cat.kcbots,
        }
    }

    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// `count` distinct listed accounts, picked deterministically for `salt`.
    fn pick_accounts(&self, count: usize, salt: u64) -> Vec<usize> {
        let live: Vec<usize> = (0..self.accounts.len()).filter(|&i| !self.accounts[i].removed).collect();
        Rng::new(salt).sample(live, count)
    }

    /// Moves the health score of `count` accounts by 30 points (down when healthy, up when not) at
    /// `now`; returns their ids.
    pub fn modify_accounts(&mut self, count: usize, now: i64, salt: u64) -> Vec<String> {
        let picked = self.pick_accounts(count, salt);
        picked
            .into_iter()
            .map(|i| {
                let a = &mut self.accounts[i];
                a.health_score = if a.health_score >= 50 { a.health_score - 30 } else { a.health_score + 30 };
                a.modified = now;
                a.id.clone()
            })
            .collect()
    }

    /// Deletes `count` accounts (their users and events go with them); returns their ids.
    pub fn remove_accounts(&mut self, count: usize, salt: u64) -> Vec<String> {
        let picked = self.pick_accounts(count, salt);
        picked
            .into_iter()
            .map(|i| {
                self.accounts[i].removed = true;
                self.accounts[i].id.clone()
            })
            .collect()
    }
}

/// What an endpoint sees of a request that passed auth.
pub(crate) struct Req {
    pub params: Params,
    pub path: String,
}

type Reply = Result<Response, auth::PxError>;
type Handler = fn(&PxData, &Req) -> Reply;

/// Auth first, then the query string, then the handler under a read lock of the PX data.
fn serve(state: &SimState, method: &Method, uri: &Uri, headers: &HeaderMap, handler: Handler) -> Response {
    if let Err(denied) = auth::check(state, method, uri.path(), headers) {
        return denied.into_response();
    }
    if let Some(status) = endpoint_path(uri.path()).and_then(|p| state.px_unavailable(p)) {
        return auth::unavailable(status).into_response();
    }
    let Ok(Query(params)) = Query::<Vec<(String, String)>>::try_from_uri(uri) else {
        return auth::bad_request("Malformed query string").into_response();
    };
    let req = Req { params: Params(params), path: uri.path().to_string() };
    match state.px.read() {
        Ok(px) => handler(&px, &req).unwrap_or_else(IntoResponse::into_response),
        Err(_) => auth::error(StatusCode::INTERNAL_SERVER_ERROR, "PX data unavailable").into_response(),
    }
}

/// The part of a PX path after `/px/{region}/v1`.
fn endpoint_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/px/")?;
    let (_, rest) = rest.split_once('/')?;
    rest.strip_prefix("v1")
}

fn endpoint(handler: Handler) -> MethodRouter<Arc<SimState>> {
    get(move |State(state): State<Arc<SimState>>, method: Method, uri: Uri, headers: HeaderMap| async move {
        serve(&state, &method, &uri, &headers, handler)
    })
}

fn unknown_endpoint(_: &PxData, _: &Req) -> Reply {
    Err(auth::not_found("Unknown endpoint"))
}

pub fn router() -> Router<Arc<SimState>> {
    let p = |tail: &str| format!("/px/{{region}}/v1{tail}");
    Router::new()
        .route(&p("/admin/subscription"), endpoint(admin::subscription))
        .route(&p("/admin/model/account/attributes"), endpoint(admin::account_attributes))
        .route(&p("/admin/model/user/attributes"), endpoint(admin::user_attributes))
        .route(&p("/accounts"), endpoint(entities::accounts))
        .route(&p("/users"), endpoint(entities::users))
        .route(&p("/feature"), endpoint(entities::features))
        .route(&p("/segment"), endpoint(entities::segments))
        .route(&p("/engagement"), endpoint(entities::engagements))
        .route(&p("/feature/adoption/{feature_id}"), endpoint(usage::adoption))
        .route(&p("/articles"), endpoint(entities::articles))
        .route(&p("/kcbot"), endpoint(entities::kcbots))
        .route(&p("/events/feature_match"), endpoint(usage::feature_match))
        .route(&p("/events/custom"), endpoint(usage::custom))
        .route(&p("/events/email"), endpoint(usage::email))
        .route(&p("/events/engagementView"), endpoint(usage::engagement_view))
        .route(&p("/events/formSubmit"), endpoint(usage::form_submit))
        .route(&p("/events/identify"), endpoint(usage::identify))
        .route(&p("/events/lead"), endpoint(usage::lead))
        .route(&p("/events/pageView"), endpoint(usage::page_view))
        .route(&p("/events/segment_match"), endpoint(usage::segment_match))
        .route(&p("/events/session"), endpoint(usage::session))
        .route(&p("/survey/responses"), endpoint(usage::survey_responses))
        .route(&p("/{*rest}"), endpoint(unknown_endpoint))
}
