//! The benchmark's yardstick: the fastest axum answers a GET on this machine, with no gateway,
//! no store and no logging. `bench/run.sh` measures the local HMRC against it in the same run.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9100".into());
    let app = axum::Router::new().route(
        "/hello/user",
        axum::routing::get(|| async { axum::Json(serde_json::json!({ "message": "Hello User" })) }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}
