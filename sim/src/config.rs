//! Simulator configuration: the org's size and seed, its keys, its limits, and the API variants
//! (where real tenants are known to answer in more than one way) it should produce.

use crate::profile::OrgProfile;
use crate::query::DateStyle;

/// The demo org's CS Access Key. Public on purpose: `outpost demo` prints it and the desktop app
/// fills it in, so no one mistakes it for a secret.
pub const DEMO_ACCESS_KEY: &str = "demo-cs-access-key-0000000000000000";
pub const DEMO_CLIENT_ID: &str = "demo-m2m-client-id";
pub const DEMO_CLIENT_SECRET: &str = "demo-m2m-client-secret-000000000000";
pub const DEMO_PX_API_KEY: &str = "demo-px-api-key-00000000-0000-0000-0000";

/// PX data centres. The simulator serves each under its own path prefix: `/px/us/v1`, `/px/eu/v1`,
/// `/px/us2/v1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    Us,
    Eu,
    Us2,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Us2];

    pub fn slug(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Us2 => "us2",
        }
    }

    pub fn from_slug(s: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.slug().eq_ignore_ascii_case(s))
    }

    /// The path prefix that stands in for `https://api[-eu|-us2].aptrinsic.com/v1`.
    pub fn base_path(self) -> String {
        format!("/px/{}/v1", self.slug())
    }
}

/// A PX REST API key: which data centre it belongs to and what it may do.
#[derive(Clone, Debug)]
pub struct PxKey {
    pub key: String,
    pub region: Region,
    pub read: bool,
    pub write: bool,
}

/// Where the rows of a CS query reply live: `data.records` (live tenants) or `data` itself (older docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RowsStyle {
    #[default]
    Records,
    BareList,
}

/// How CS says "nothing matched": an empty list, `result:false` + "No data found", or 400 `GSOBJ_1011`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmptyStyle {
    #[default]
    EmptyList,
    NoDataFound,
    Gsobj1011,
}

impl EmptyStyle {
    /// `list`, `no-data` (or `no-data-found`) or `gsobj-1011`, as the `--empty-style` flag and the
    /// [`crate::faults::Fault::EmptyReply`] fault name them.
    pub fn parse(text: &str) -> Option<EmptyStyle> {
        match text.trim().to_ascii_lowercase().as_str() {
            "list" | "empty-list" => Some(EmptyStyle::EmptyList),
            "no-data" | "no-data-found" => Some(EmptyStyle::NoDataFound),
            "gsobj-1011" | "gsobj_1011" => Some(EmptyStyle::Gsobj1011),
            _ => None,
        }
    }
}

/// How describe lists a picklist field's items. The docs show `options[] {label, value}`; other
/// shapes are plausible for real orgs, and some list none (labels then come from `da_picklist`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OptionsStyle {
    /// `options: [{label, value, active}]`.
    #[default]
    LabelValue,
    /// `meta.options: [{name, gsid}]`.
    NameGsid,
    /// No items listed.
    Absent,
}

/// What a CS 429 carries: the `GS_APIG_2404` envelope or not, a `Retry-After` header or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitStyle {
    pub gs_2404_body: bool,
    pub retry_after: bool,
}

impl Default for RateLimitStyle {
    fn default() -> Self {
        RateLimitStyle { gs_2404_body: true, retry_after: false }
    }
}

/// What the M2M token endpoint accepts and how it answers. The docs give a form body
/// `grant_type=client_credentials` and a bare `{access_token, token_type, expires_in}` reply; live
/// clients also send no body at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct M2mStyle {
    /// Wrap the token in the CS envelope: `{result, ..., data: {access_token, ...}}`.
    pub wrapped: bool,
    pub body: TokenBody,
}

/// Which token request bodies the endpoint takes; the other kind gets 400 `invalid_request`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenBody {
    /// The form body or none at all (what the docs and live clients show).
    #[default]
    Either,
    /// Only `grant_type=client_credentials`.
    FormOnly,
    /// Only an empty body.
    NoneOnly,
}

impl M2mStyle {
    /// Parses `--m2m-style`: a comma-separated list of `bare` or `wrapped` and `either-body`,
    /// `form-body` or `no-body`; the default is `bare,either-body`.
    pub fn parse(text: &str) -> Result<M2mStyle, String> {
        let mut style = M2mStyle::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "bare" => style.wrapped = false,
                "wrapped" => style.wrapped = true,
                "either-body" => style.body = TokenBody::Either,
                "form-body" => style.body = TokenBody::FormOnly,
                "no-body" => style.body = TokenBody::NoneOnly,
                other => return Err(format!("unknown M2M style {other}")),
            }
        }
        Ok(style)
    }
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// 0 picks any free port.
    pub port: u16,
    pub seed: u64,
    pub companies: usize,
    /// The simulated "today" (days since 1970-01-01); `None` uses the current UTC date.
    pub anchor_day: Option<i64>,
    pub cs_access_key: String,
    pub cs_client_id: String,
    pub cs_client_secret: String,
    /// Lifetime of M2M bearer tokens.
    pub token_ttl_secs: u64,
    pub px_keys: Vec<PxKey>,
    /// CS calls allowed per fixed window (the real org allows 100 per calendar minute).
    pub rate_limit_per_window: u32,
    pub window_secs: u64,
    /// CS calls allowed per day (real: 50,000).
    pub daily_limit: u32,
    /// PX calls allowed per second (real: about 200).
    pub px_per_second: u32,
    pub latency_ms: u64,
    pub dates: DateStyle,
    pub rows: RowsStyle,
    pub empty: EmptyStyle,
    pub rate_limit_style: RateLimitStyle,
    pub m2m: M2mStyle,
    pub options: OptionsStyle,
    /// API names for the scorecard fact and history objects, which vary by org; `None` serves
    /// `company_scorecard_fact` and `company_scorecard_history`.
    pub scorecard_objects: Option<(String, String)>,
    /// How this org differs from the default shape: fields and objects it lacks, hides or names
    /// its own way, and PX endpoints its subscription lacks. Applied after `scorecard_objects`;
    /// the default changes nothing. See [`OrgProfile`] and [`OrgProfile::named`].
    pub profile: OrgProfile,
    /// Weekly history of each scorecard measure as well as the overall score (off by default: it
    /// multiplies the history rows by the measures; the demo org turns it on for its charts).
    pub measure_history: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            seed: 42,
            companies: 50,
            anchor_day: None,
            cs_access_key: DEMO_ACCESS_KEY.to_string(),
            cs_client_id: DEMO_CLIENT_ID.to_string(),
            cs_client_secret: DEMO_CLIENT_SECRET.to_string(),
            token_ttl_secs: 86_400,
            px_keys: vec![PxKey {
                key: DEMO_PX_API_KEY.to_string(),
                region: Region::Us,
                read: true,
                write: false,
            }],
            rate_limit_per_window: 100,
            window_secs: 60,
            daily_limit: 50_000,
            px_per_second: 200,
            latency_ms: 0,
            dates: DateStyle::EpochMs,
            rows: RowsStyle::Records,
            empty: EmptyStyle::EmptyList,
            rate_limit_style: RateLimitStyle::default(),
            m2m: M2mStyle::default(),
            options: OptionsStyle::default(),
            scorecard_objects: None,
            profile: OrgProfile::default(),
            measure_history: false,
        }
    }
}
