//! Usage events, generated on demand rather than stored: whether an account is active on a day,
//! how many events it has and what each one is are pure hashes of (seed, kind, account, day, n).
//! A query only materializes the days it must (to filter by feature, or to cut a page or a
//! partial day), so a 20,000-account org costs nothing until it is asked.

use super::PxData;
use crate::time::DAY_MS;
use serde_json::{Value, json};
use std::ops::Range;

/// Days before the anchor day that hold events.
pub const HISTORY_DAYS: i64 = 200;

pub const CUSTOM_EVENTS: &[&str] =
    &["report_exported", "invite_sent", "dashboard_shared", "api_token_created", "plan_upgrade_viewed"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    FeatureMatch,
    Custom,
}

/// One event, compactly: `item` indexes the tracked features or [`CUSTOM_EVENTS`].
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub date: i64,
    pub id: u64,
    pub account: u32,
    pub user: u32,
    pub item: u16,
}

/// Which events a query wants: `start <= date < end`, optionally one account and a set of items.
pub struct Select<'a> {
    pub start: i64,
    pub end: i64,
    pub account: Option<u32>,
    pub items: Option<&'a [u16]>,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash(px: &PxData, kind: Kind, account: u32, day: i64, n: u32) -> u64 {
    let k = match kind {
        Kind::FeatureMatch => 0x6665_6174,
        Kind::Custom => 0x6375_7374,
    };
    mix(mix(mix(px.seed ^ k) ^ u64::from(account))
        ^ (day as u64).wrapping_mul(0x1_0000_0001)
        ^ (u64::from(n) << 48))
}

impl PxData {
    fn item_count(&self, kind: Kind) -> u64 {
        match kind {
            Kind::FeatureMatch => self.tracked.len() as u64,
            Kind::Custom => CUSTOM_EVENTS.len() as u64,
        }
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
        let (chance, most) = match kind {
            Kind::FeatureMatch => (u64::from(a.activity), 4),
            Kind::Custom => (u64::from(a.activity) / 3, 2),
        };
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
        (wanted && e.date >= sel.start && e.date < sel.end).then_some(e)
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
        let whole = sel.items.is_none() && span.start >= sel.start && span.end <= sel.end;
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

    pub fn event_json(&self, kind: Kind, e: &Event) -> Value {
        let account = self.accounts.get(e.account as usize);
        let identify = self.users.get(e.user as usize).map(|u| u.identify_id());
        let event_id = format!("{:016x}{:016x}", e.id, mix(e.id));
        match kind {
            Kind::FeatureMatch => {
                let feature = self.tracked.get(usize::from(e.item)).and_then(|&i| self.features.get(i));
                json!({
                    "eventId": event_id,
                    "identifyId": identify,
                    "accountId": account.map(|a| &a.id),
                    "featureId": feature.map(|f| &f["id"]),
                    "propertyKey": feature.map(|f| &f["propertyKey"]),
                    "date": e.date,
                })
            }
            Kind::Custom => json!({
                "eventId": event_id,
                "identifyId": identify,
                "accountId": account.map(|a| &a.id),
                "eventName": CUSTOM_EVENTS.get(usize::from(e.item)),
                "propertyKey": account.and_then(|a| a.property_keys.first()),
                "attributes": {"count": 1 + (e.id >> 3) % 5},
                "date": e.date,
            }),
        }
    }
}
