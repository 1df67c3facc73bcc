// Generated from the Rust types by `make bindings` (src/bindings.rs). Do not edit by hand.

export type ErrorKind = "InvalidInput" | "InvalidKey" | "IpNotAllowed" | "WrongInstance" | "Forbidden" | "RateLimited" | "Offline" | "Timeout" | "ServerError" | "Rejected" | "BadResponse" | "NoKeychain" | "KeychainError" | "NotFound" | "Conflict" | "Database" | "Internal";

export type ErrorPayload = { kind: ErrorKind, message: string, hint: string | null, };

export type CsConnectInput = { name: string, description: string | null, instance_url: string, access_key: string, };

export type TestReport = { ok: boolean, 
/**
 * The normalised base URL that was tested, when the input could be normalised.
 */
instance_url: string | null, instance: string | null, auth_mode: string, 
/**
 * What was changed in the input (trimmed key, removed path, expanded tenant name).
 */
notices: Array<string>, error: ErrorPayload | null, };

export type ConnectionStatus = "connected" | "syncing" | "needs_attention" | "disconnected";

export type ConnectionCard = { id: string, kind: string, name: string, description: string | null, status: ConnectionStatus, status_reason: string | null, connected_by: string, 
/**
 * RFC 3339, UTC; shown in local time.
 */
connected_on: string, 
/**
 * The domain (CS) or region (PX).
 */
instance: string, instance_url: string, auth_mode: string, masked_key: string, is_demo: boolean, last_sync_at: string | null, next_sync_at: string | null, };

export type DemoOrg = { instance_url: string, access_key: string, };
