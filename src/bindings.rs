//! The TypeScript declarations of every type that crosses to the UI, generated from the Rust types.
//! `ui/src/bindings.ts` is this output, committed; a test fails when the two differ.

use crate::budget::meter::{BudgetMeter, EstimateBasis};
use crate::build_info::BuildInfo;
use crate::connections::{
    ConnectInput, ConnectKind, ConnectionCard, ConnectionStatus, CsAuthInput, CsConnectInput, DemoOrg,
    PxTarget, TestReport,
};
use crate::db::account_page::{AccountFilter, AccountPage, AccountPageQuery, Facet, FacetFilter, FacetValue};
use crate::db::browse::{
    AccountDetail, AccountQuery, AccountSummary, CtaListItem, CtaQuery, CustomValue, FeatureUse,
    HistoryPoint, MeasureHistory, MeasureScore, PxUsage, ScoreBand, UsagePoint,
};
use crate::db::changes::{Change, ChangeList, ChangeQuery, ChangeRun};
use crate::db::companies::CompanyRow;
use crate::db::cta_page::{CtaPage, CtaPageQuery, CtaPageRow};
use crate::db::ctas::CtaRow;
use crate::db::insights::HealthAlert;
use crate::db::org::{StreamOutcome, StreamResult, StreamStatus};
use crate::db::runs::SyncRun;
use crate::db::settings::{FieldMapping, SyncSettings};
use crate::doctor::{OrgReport, StreamReport, UsageCandidate};
use crate::error::{ErrorKind, ErrorPayload};
use crate::export::{AccountExport, CtaExport, ExportDone};
use crate::gainsight::px::{PxRegion, PxSubscription};
use crate::gainsight::retry::Retrying;
use crate::insights::link::PxAccountRef;
use crate::insights::quality::{QualityCheck, QualityItem};
use crate::insights::renewals::RenewalRisk;
use crate::insights::settings::InsightSettings;
use crate::model::{
    AlertKind, AlertState, AuthMode, ChangeKind, ConnectionKind, Frequency, ObjectGroup, Severity, Stream,
    SyncOutcome,
};
use crate::settings::MappingSaved;
use crate::sync::roles::{Matched, RoleMatch};
use crate::sync::{StreamProgress, SyncSummary};
use ts_rs::{Config, TS};

pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let decls = [
        ErrorKind::decl(&cfg),
        ErrorPayload::decl(&cfg),
        BuildInfo::decl(&cfg),
        ConnectionKind::decl(&cfg),
        AuthMode::decl(&cfg),
        SyncOutcome::decl(&cfg),
        Frequency::decl(&cfg),
        ObjectGroup::decl(&cfg),
        ChangeKind::decl(&cfg),
        Stream::decl(&cfg),
        CsConnectInput::decl(&cfg),
        PxRegion::decl(&cfg),
        PxTarget::decl(&cfg),
        CsAuthInput::decl(&cfg),
        ConnectKind::decl(&cfg),
        ConnectInput::decl(&cfg),
        PxSubscription::decl(&cfg),
        TestReport::decl(&cfg),
        ConnectionStatus::decl(&cfg),
        ConnectionCard::decl(&cfg),
        DemoOrg::decl(&cfg),
        CompanyRow::decl(&cfg),
        CtaRow::decl(&cfg),
        AccountQuery::decl(&cfg),
        AccountSummary::decl(&cfg),
        MeasureScore::decl(&cfg),
        HistoryPoint::decl(&cfg),
        MeasureHistory::decl(&cfg),
        UsagePoint::decl(&cfg),
        CustomValue::decl(&cfg),
        FeatureUse::decl(&cfg),
        PxUsage::decl(&cfg),
        AccountDetail::decl(&cfg),
        CtaQuery::decl(&cfg),
        CtaListItem::decl(&cfg),
        Retrying::decl(&cfg),
        StreamProgress::decl(&cfg),
        StreamResult::decl(&cfg),
        StreamOutcome::decl(&cfg),
        SyncSummary::decl(&cfg),
        Matched::decl(&cfg),
        RoleMatch::decl(&cfg),
        StreamStatus::decl(&cfg),
        StreamReport::decl(&cfg),
        OrgReport::decl(&cfg),
        UsageCandidate::decl(&cfg),
        SyncRun::decl(&cfg),
        Change::decl(&cfg),
        ChangeQuery::decl(&cfg),
        ChangeList::decl(&cfg),
        ChangeRun::decl(&cfg),
        SyncSettings::decl(&cfg),
        EstimateBasis::decl(&cfg),
        BudgetMeter::decl(&cfg),
        FieldMapping::decl(&cfg),
        MappingSaved::decl(&cfg),
        ScoreBand::decl(&cfg),
        FacetFilter::decl(&cfg),
        AccountFilter::decl(&cfg),
        AccountPageQuery::decl(&cfg),
        AccountPage::decl(&cfg),
        FacetValue::decl(&cfg),
        Facet::decl(&cfg),
        CtaPageQuery::decl(&cfg),
        CtaPageRow::decl(&cfg),
        CtaPage::decl(&cfg),
        AlertKind::decl(&cfg),
        AlertState::decl(&cfg),
        Severity::decl(&cfg),
        RenewalRisk::decl(&cfg),
        HealthAlert::decl(&cfg),
        QualityItem::decl(&cfg),
        QualityCheck::decl(&cfg),
        PxAccountRef::decl(&cfg),
        InsightSettings::decl(&cfg),
        AccountExport::decl(&cfg),
        CtaExport::decl(&cfg),
        ExportDone::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `make bindings` (src/bindings.rs). Do not edit by hand.\n",
    );
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}
