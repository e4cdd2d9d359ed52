//! The widget's appearance: read by any widget, set by operators on the Widget page.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use switchboard::domain::Appearance;
use switchboard::wire::WidgetAppearance;

use super::ApiJson;
use crate::error::ApiError;
use crate::extract::{Client, SignedIn};
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/widget/appearance", get(read).put(replace))
}

/// Anyone may read it: it is what every visitor of the host site sees anyway.
async fn read(State(state): State<AppState>) -> Result<Json<WidgetAppearance>, ApiError> {
    Ok(Json(state.engine.widget_appearance().await?))
}

async fn replace(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    ApiJson(body): ApiJson<WidgetAppearance>,
) -> Result<Json<WidgetAppearance>, ApiError> {
    let appearance = Appearance::parse(&body)?;
    Ok(Json(
        state
            .engine
            .set_widget_appearance(&signed_in.operator, appearance, &client.requester)
            .await?,
    ))
}
