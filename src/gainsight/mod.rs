//! The Gainsight client: instance URLs and keys as admins paste them, the CS API, and the
//! classification of every reply into data or a typed error.

pub mod cs;
pub mod error;
pub mod http;
pub mod instance;
pub mod key;
pub mod response;

pub use cs::{CsAuth, CsClient};
pub use error::ApiError;
pub use instance::{InstanceUrl, normalize_instance_url};
pub use key::normalize_key;
