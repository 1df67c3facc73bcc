//! The Gainsight client: instance URLs and keys as admins paste them, the CS API, and the
//! classification of every reply into data or a typed error.

pub mod budget;
pub mod cs;
pub mod dates;
pub mod error;
pub mod http;
pub mod instance;
pub mod key;
pub mod paging;
#[cfg(test)]
mod props;
pub mod px;
pub mod record;
pub mod response;
pub mod retry;

pub use cs::{CsAuth, CsClient};
pub use error::ApiError;
pub use instance::{InstanceUrl, normalize_instance_url};
pub use key::normalize_key;
