//! `/admin/subscription` and the attribute model `/admin/model/{account|user}/attributes`.

use super::{PxData, Reply, Req};
use axum::Json;
use axum::response::IntoResponse;

pub fn subscription(px: &PxData, _: &Req) -> Reply {
    Ok(Json(&px.subscription).into_response())
}

pub fn account_attributes(px: &PxData, _: &Req) -> Reply {
    Ok(Json(&px.account_attributes).into_response())
}

pub fn user_attributes(px: &PxData, _: &Req) -> Reply {
    Ok(Json(&px.user_attributes).into_response())
}
