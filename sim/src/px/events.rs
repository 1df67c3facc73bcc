//! Events, generated on demand rather than stored: whether an account is active on a day, how
//! many events of a kind it has and what each one is are pure hashes of (seed, kind, account, day,
//! n). A query only materializes the days it must (to filter, or to cut a page or a partial day),
//! so a 20,000-account org costs nothing until it is asked.
//!
//! Every event kind of the PX REST description (v0.1.6) is generated, each carrying the fields its
//! schema there gives it: `eventId`, `identifyId`, `userType`, `accountId`, `sessionId`,
//! `propertyKey`, `date` and its own (email events carry no `accountId` or `sessionId`).

use super::PxData;
use super::filter::dig;
use crate::time::DAY_MS;
use serde_json::{Map, Value, json};
use std::ops::Range;

/// Days before the anchor day that hold events.
pub const HISTORY_DAYS: i64 = 200;

pub const CUSTOM_EVENTS: &[&str] =
    &["report_exported", "invite_sent", "dashboard_shared", "api_token_created", "plan_upgrade_viewed"];
/// Pages of the web app: (path, title).
pub const PAGES: &[(&str, &str)] = &[
    ("/home", "Home"),
    ("/dashboards", "Dashboards"),
    ("/reports", "Reports"),
    ("/workflows", "Workflows"),
    ("/admin/users", "Users"),
    ("/settings/sso", "Single Sign-On"),
];
/// Forms of the web app: (path, title).
pub const FORMS: &[(&str, &str)] =
    &[("/support/contact", "Contact Support"), ("/trial/extend", "Extend Trial"), ("/feedback", "Feedback")];
const EMAIL_TRACK: &[&str] = &[
    "EMAIL_TRACK_PROCESSED",
    "EMAIL_TRACK_DELIVERED",
    "EMAIL_TRACK_DELIVERED",
    "EMAIL_TRACK_OPEN",
    "EMAIL_TRACK_OPEN",
    "EMAIL_TRACK_CLICK",
    "EMAIL_TRACK_BOUNCE",
    "EMAIL_TRACK_UNSUBSCRIBE",
];
const COMMENTS: &[&str] =
    &["Works well for us.", "Exports are slow.", "Love the new dashboards.", "Hard to find settings."];
pub const APP_HOST: &str = "app.outpost-demo.example";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    FeatureMatch,
    Custom,
    Email,
    EngagementView,
    FormSubmit,
    Identify,
    Lead,
    PageView,
    SegmentMatch,
    Session,
    SurveyResponse,
}

/// The fields every event but an email event carries.
const COMMON: &[&str] =
    &["eventId", "identifyId", "userType", "accountId", "sessionId", "propertyKey", "date"];

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::FeatureMatch,
        Kind::Custom,
        Kind::Email,
        Kind::EngagementView,
        Kind::FormSubmit,
        Kind::Identify,
        Kind::Lead,
        Kind::PageView,
        Kind::SegmentMatch,
        Kind::Session,
        Kind::SurveyResponse,
    ];

    /// The endpoint, under `/v1`.
    pub fn path(self) -> &'static str {
        match self {
            Kind::FeatureMatch => "/events/feature_match",
            Kind::Custom => "/events/custom",
            Kind::Email => "/events/email",
            Kind::EngagementView => "/events/engagementView",
            Kind::FormSubmit => "/events/formSubmit",
            Kind::Identify => "/events/identify",
            Kind::Lead => "/events/lead",
            Kind::PageView => "/events/pageView",
            Kind::SegmentMatch => "/events/segment_match",
            Kind::Session => "/events/session",
            Kind::SurveyResponse => "/survey/responses",
        }
    }

    /// The key of the list in a reply, as the PX description's page schemas name it (its
    /// `SegmentMatchEventsPage` names its list `featureMatchEvents` too).
    pub fn list_key(self) -> &'static str {
        match self {
            Kind::FeatureMatch | Kind::SegmentMatch => "featureMatchEvents",
            Kind::Custom => "customEvents",
            Kind::Identify => "identifyEvents",
            Kind::Session => "sessionInitializedEvents",
            Kind::Email
            | Kind::EngagementView
            | Kind::FormSubmit
            | Kind::Lead
            | Kind::PageView
            | Kind::SurveyResponse => "results",
        }
    }

    /// The fields its events carry (what `filter` and `sort` may name).
    pub fn fields(self) -> Vec<&'static str> {
        let own: &[&str] = match self {
            Kind::Email => {
                return vec![
                    "eventId",
                    "identifyId",
                    "userType",
                    "propertyKey",
                    "date",
                    "engagementId",
                    "email",
                    "emailTrackType",
                ];
            }
            Kind::FeatureMatch => &["featureId"],
            Kind::Custom => &["eventName", "attributes"],
            Kind::EngagementView => &[
                "engagementId",
                "engagementTrackType",
                "contentType",
                "executionDate",
                "executionId",
                "guideState",
                "carouselState",
                "surveyState",
            ],
            Kind::SurveyResponse => &[
                "engagementId",
                "engagementTrackType",
                "contentType",
                "executionDate",
                "executionId",
                "surveyState",
                "score",
                "comment",
            ],
            Kind::FormSubmit => &["scheme", "host", "path", "queryString", "pageTitle", "formData"],
            Kind::PageView => &[
                "scheme",
                "host",
                "path",
                "queryString",
                "pageTitle",
                "screenWidth",
                "screenHeight",
                "languages",
            ],
            Kind::Identify | Kind::Lead => &["email"],
            Kind::SegmentMatch => &["segmentId"],
            Kind::Session => &["remoteHost", "inferredLocation"],
        };
        COMMON.iter().chain(own).copied().collect()
    }

    fn salt(self) -> u64 {
        match self {
            Kind::FeatureMatch => 0x6665_6174,
            Kind::Custom => 0x6375_7374,
            Kind::Email => 0x656d_6169,
            Kind::EngagementView => 0x656e_6776,
            Kind::FormSubmit => 0x666f_726d,
            Kind::Identify => 0x6964_656e,
            Kind::Lead => 0x6c65_6164,
            Kind::PageView => 0x7061_6765,
            Kind::SegmentMatch => 0x7365_676d,
            Kind::Session => 0x7365_7373,
            Kind::SurveyResponse => 0x7375_7276,
        }
    }

    /// How often an account has these events: (divisor of its daily activity chance, most events
    /// on an active day).
    fn rate(self) -> (u64, u64) {
        match self {
            Kind::FeatureMatch | Kind::PageView => (1, 4),
            Kind::Session => (1, 3),
            Kind::Custom | Kind::EngagementView => (3, 2),
            Kind::Identify => (4, 1),
            Kind::Email => (5, 2),
            Kind::SegmentMatch => (6, 1),
            Kind::SurveyResponse | Kind::FormSubmit => (8, 1),
            Kind::Lead => (10, 1),
        }
    }
}

/// One event, compactly: `item` indexes what the event is about (a tracked feature, a custom
/// event name, an engagement, a segment, a page or a form, by kind).
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub date: i64,
    pub id: u64,
    pub account: u32,
    pub user: u32,
    pub item: u16,
}

/// Which events a query wants: `start <= date < end`, optionally one account, a set of items and
/// a test each event must pass.
pub struct Select<'a> {
    pub start: i64,
    pub end: i64,
    pub account: Option<u32>,
    pub items: Option<&'a [u16]>,
    pub test: Option<&'a dyn Fn(&Event) -> bool>,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash(px: &PxData, kind: Kind, account: u32, day: i64, n: u32) -> u64 {
    mix(mix(mix(px.seed ^ kind.salt()) ^ u64::from(account))
        ^ (day as u64).wrapping_mul(0x1_0000_0001)
        ^ (u64::from(n) << 48))
}

impl PxData {
    fn item_count(&self, kind: Kind) -> u64 {
        (match kind {
            Kind::FeatureMatch => self.tracked.len(),
            Kind::Custom => CUSTOM_EVENTS.len(),
            Kind::Email => self.email_engagements.len(),
            Kind::EngagementView => self.view_engagements.len(),
            Kind::SurveyResponse => self.survey_engagements.len(),
            Kind::SegmentMatch => self.segments.len(),
            Kind::PageView => PAGES.len(),
            Kind::FormSubmit => FORMS.len(),
            Kind::Identify | Kind::Lead | Kind::Session => 1,
        }) as u64
    }

    /// Milliseconds of `day` that can hold events: the whole day, or up to "now" on the anchor day.
    fn day_span(&self, day: i64) -> Range<i64> {
        day * DAY_MS..((day + 1) * DAY_MS).min(self.now)
    }

    fn day_count(&self, kind: Kind, account: u32, day: i64) -> u32 {
        let Some(a) = self.accounts.get(account as usize) else { return 0 };
        if a.removed || day < a.created.div_euclid(DAY_MS) || a.user_count == 0 || self.item_count(kind) == 0
        {
            return 0;
        }
        let h = hash(self, kind, account, day, u32::MAX);
        let (divisor, most) = kind.rate();
        let chance = u64::from(a.activity) / divisor;
        if h % 100 < chance { 1 + ((h >> 16) % most) as u32 } else { 0 }
    }

    fn event(&self, kind: Kind, account: u32, day: i64, n: u32) -> Event {
        let h = hash(self, kind, account, day, n);
        let span = self.day_span(day);
        let (first, count) =
            self.accounts.get(account as usize).map_or((0, 1), |a| (a.first_user, a.user_count.max(1)));
        Event {
            date: span.start + ((h >> 8) % (span.end - span.start).max(1) as u64) as i64,
            id: h,
            account,
            user: first + ((h >> 40) % u64::from(count)) as u32,
            item: ((h >> 20) % self.item_count(kind).max(1)) as u16,
        }
    }

    fn days(&self, sel: &Select) -> Range<i64> {
        let first = sel.start.div_euclid(DAY_MS).max(self.anchor_day - HISTORY_DAYS);
        let last = (sel.end - 1).div_euclid(DAY_MS).min(self.anchor_day);
        first..(last + 1).max(first)
    }

    fn accounts_of(&self, sel: &Select) -> Range<u32> {
        match sel.account {
            Some(a) => a..a + 1,
            None => 0..self.accounts.len() as u32,
        }
    }

    /// Event `n` of `account` on `day`, if the selection wants it.
    fn selected(&self, kind: Kind, account: u32, day: i64, n: u32, sel: &Select) -> Option<Event> {
        let e = self.event(kind, account, day, n);
        let wanted = sel.items.is_none_or(|items| items.contains(&e.item));
        let passes = || sel.test.is_none_or(|test| test(&e));
        (wanted && e.date >= sel.start && e.date < sel.end && passes()).then_some(e)
    }

    /// Every selected event of one day, in date order.
    pub fn day_events(&self, kind: Kind, day: i64, sel: &Select) -> Vec<Event> {
        let mut out: Vec<Event> = self
            .accounts_of(sel)
            .flat_map(|a| {
                (0..self.day_count(kind, a, day)).filter_map(move |n| self.selected(kind, a, day, n, sel))
            })
            .collect();
        out.sort_by_key(|e| (e.date, e.id));
        out
    }

    /// How many selected events fall on `day`; only hashes counts when the whole day is selected.
    fn count_day(&self, kind: Kind, day: i64, sel: &Select) -> usize {
        let span = self.day_span(day);
        let whole =
            sel.items.is_none() && sel.test.is_none() && span.start >= sel.start && span.end <= sel.end;
        self.accounts_of(sel)
            .map(|a| {
                let n = self.day_count(kind, a, day);
                if whole {
                    n as usize
                } else {
                    (0..n).filter(|&i| self.selected(kind, a, day, i, sel).is_some()).count()
                }
            })
            .sum()
    }

    /// Total selected events and those at positions `rows` (in date order).
    pub fn events_page(&self, kind: Kind, sel: &Select, rows: Range<usize>) -> (usize, Vec<Event>) {
        let mut total = 0;
        let mut page = Vec::new();
        if sel.items.is_some_and(<[u16]>::is_empty) {
            return (0, page);
        }
        for day in self.days(sel) {
            let n = self.count_day(kind, day, sel);
            let (lo, hi) = (rows.start.max(total), rows.end.min(total + n));
            if lo < hi {
                let all = self.day_events(kind, day, sel);
                page.extend_from_slice(&all[lo - total..hi - total]);
            }
            total += n;
        }
        (total, page)
    }

    /// Every selected event, for aggregates over short windows (feature adoption).
    pub fn all_events(&self, kind: Kind, sel: &Select) -> Vec<Event> {
        self.days(sel).flat_map(|day| self.day_events(kind, day, sel)).collect()
    }

    /// The session an event belongs to: one per user and day.
    fn session_id(&self, e: &Event) -> String {
        let day = e.date.div_euclid(DAY_MS) as u64;
        format!(
            "{:016x}",
            mix(self.seed ^ 0x5e55_1011 ^ (u64::from(e.user) << 24) ^ day.wrapping_mul(0x9E37))
        )
    }

    /// One field of an event (dotted for nested values); the common ones without building the event.
    pub fn event_value(&self, kind: Kind, e: &Event, path: &str) -> Value {
        match path {
            "date" => json!(e.date),
            "accountId" if kind != Kind::Email => {
                self.accounts.get(e.account as usize).map_or(Value::Null, |a| json!(a.id))
            }
            "identifyId" if kind != Kind::Lead => {
                self.users.get(e.user as usize).map_or(Value::Null, |u| json!(u.identify_id()))
            }
            _ => dig(&self.event_json(kind, e), path),
        }
    }

    pub fn event_json(&self, kind: Kind, e: &Event) -> Value {
        let account = self.accounts.get(e.account as usize);
        let user = self.users.get(e.user as usize);
        let email = match (user, account) {
            (Some(u), Some(a)) => u.get(a, "email").unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let item = usize::from(e.item);
        let pick = |list: &[&'static str], salt: u32| {
            list[((mix(e.id ^ u64::from(salt)) >> 7) % list.len() as u64) as usize]
        };
        let mut m = Map::new();
        m.insert("eventId".into(), json!(format!("{:016x}{:016x}", e.id, mix(e.id))));
        if kind == Kind::Lead {
            m.insert("identifyId".into(), json!(format!("lead-{:010x}", e.id >> 24)));
            m.insert("userType".into(), json!("LEAD"));
        } else {
            m.insert("identifyId".into(), json!(user.map(|u| u.identify_id())));
            m.insert("userType".into(), json!("USER"));
        }
        if kind != Kind::Email {
            m.insert("accountId".into(), json!(account.map(|a| &a.id)));
            m.insert("sessionId".into(), json!(self.session_id(e)));
        }
        let feature = self.tracked.get(item).and_then(|&i| self.features.get(i));
        let property_key = match kind {
            Kind::FeatureMatch => feature.map_or(Value::Null, |f| f["propertyKey"].clone()),
            _ => json!(account.and_then(|a| a.property_keys.first())),
        };
        m.insert("propertyKey".into(), property_key);
        m.insert("date".into(), json!(e.date));
        let engagement = |list: &[usize]| list.get(item).and_then(|&i| self.engagements.get(i));
        let own = match kind {
            Kind::FeatureMatch => json!({"featureId": feature.map(|f| &f["id"])}),
            Kind::Custom => json!({
                "eventName": CUSTOM_EVENTS.get(item),
                "attributes": {"count": 1 + (e.id >> 3) % 5},
            }),
            Kind::Email => json!({
                "engagementId": engagement(&self.email_engagements).map(|g| &g["id"]),
                "email": email,
                "emailTrackType": pick(EMAIL_TRACK, 1),
            }),
            Kind::EngagementView => {
                let g = engagement(&self.view_engagements);
                let (content, state) = match g.and_then(|g| g["type"].as_str()) {
                    Some("IN_APP_GUIDE") => ("IN_APP_GUIDE", Some("guideState")),
                    Some("IN_APP_CAROUSEL") => ("IN_APP_CAROUSEL", Some("carouselState")),
                    _ => ("IN_APP_DIALOG", None),
                };
                let mut v = json!({
                    "engagementId": g.map(|g| &g["id"]),
                    "engagementTrackType": pick(&["ENGAGEMENT_VIEW", "ENGAGEMENT_VIEW", "ENGAGEMENT_CLICK"], 2),
                    "contentType": content,
                    "executionDate": e.date,
                    "executionId": format!("{:016x}", mix(e.id ^ 3)),
                });
                if let (Some(state), Some(obj)) = (state, v.as_object_mut()) {
                    obj.insert(state.into(), json!(pick(&["VIEWED", "COMPLETED"], 4)));
                }
                v
            }
            Kind::SurveyResponse => {
                let g = engagement(&self.survey_engagements);
                let (content, score) = match g.and_then(|g| g["type"].as_str()) {
                    Some("IN_APP_NPS_SURVEY") => ("IN_APP_SURVEY_NPS", (e.id >> 11) % 11),
                    Some("IN_APP_CES_SURVEY") => ("IN_APP_SURVEY_CES", 1 + (e.id >> 11) % 7),
                    Some("IN_APP_BOOLEAN_SURVEY") => ("IN_APP_SURVEY_BOOLEAN", (e.id >> 11) % 2),
                    _ => ("IN_APP_SURVEY_RATING", 1 + (e.id >> 11) % 5),
                };
                json!({
                    "engagementId": g.map(|g| &g["id"]),
                    "engagementTrackType": "ENGAGEMENT_VIEW",
                    "contentType": content,
                    "executionDate": e.date,
                    "executionId": format!("{:016x}", mix(e.id ^ 3)),
                    "surveyState": "COMPLETED",
                    "score": score,
                    "comment": if (e.id >> 17).is_multiple_of(3) { json!(pick(COMMENTS, 5)) } else { Value::Null },
                })
            }
            Kind::PageView => {
                let (path, title) = PAGES[item % PAGES.len()];
                const WIDTHS: [u64; 4] = [1920, 1440, 1366, 2560];
                let width = WIDTHS[((mix(e.id ^ 6) >> 7) % 4) as usize];
                json!({
                    "scheme": "https", "host": APP_HOST, "path": path, "queryString": "",
                    "pageTitle": format!("{title} - Outpost Demo"), "screenWidth": width,
                    "screenHeight": width * 9 / 16, "languages": ["en-US"],
                })
            }
            Kind::FormSubmit => {
                let (path, title) = FORMS[item % FORMS.len()];
                json!({
                    "scheme": "https", "host": APP_HOST, "path": path, "queryString": "",
                    "pageTitle": format!("{title} - Outpost Demo"),
                    "formData": {"email": email, "subject": title},
                })
            }
            Kind::Identify => json!({"email": email}),
            Kind::Lead => {
                let domain = account.map_or("example.com", |a| a.domain.as_str());
                json!({"email": format!("lead{:04}@{domain}", (e.id >> 24) % 10_000)})
            }
            Kind::SegmentMatch => json!({"segmentId": self.segments.get(item).map(|s| &s["id"])}),
            Kind::Session => json!({
                "remoteHost": format!("203.0.113.{}", 1 + (e.id >> 9) % 254),
                "inferredLocation": {
                    "countryName": account.map(|a| a.country), "city": account.map(|a| a.city),
                },
            }),
        };
        if let Value::Object(own) = own {
            m.extend(own);
        }
        Value::Object(m)
    }
}
