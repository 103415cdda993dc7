//! `mtd hello`: HMRC's Hello World API as the linked user, a check that the link works.

use serde_json::json;

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(ctx: &Context) -> Result<Exit, CliError> {
    let authority = ctx.authority().await?;
    let client = ctx.client.clone();
    let msg = authority
        .call(|token| {
            let client = client.clone();
            async move { client.hello().user(&token).await }
        })
        .await?;
    emit(ctx.json, &json!({ "message": msg.message }), || {
        msg.message.clone()
    });
    Ok(Exit::Done)
}
