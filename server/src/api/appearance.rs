//! The widget's appearance: read by any widget, set by operators on the Widget page.

use axum::extract::State;
use axum::Json;
use switchboard::domain::Appearance;
use switchboard::wire::WidgetAppearance;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::error::ApiError;
use crate::extract::{Client, SignedIn};
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read_appearance, replace_appearance))
}

/// The widget's appearance, for anyone.
///
/// Anyone may read it: it is what every visitor of the host site sees anyway.
#[utoipa::path(
    get,
    path = "/api/v1/widget/appearance",
    tag = "widget",
    responses((status = 200, description = "The widget's appearance", body = WidgetAppearance)),
)]
async fn read_appearance(
    State(state): State<AppState>,
) -> Result<Json<WidgetAppearance>, ApiError> {
    Ok(Json(state.engine.widget_appearance().await?))
}

/// Replaces the widget's appearance.
#[utoipa::path(
    put,
    path = "/api/v1/widget/appearance",
    tag = "widget",
    security(("operator" = [])),
    request_body = WidgetAppearance,
    responses((status = 200, description = "The appearance as saved", body = WidgetAppearance)),
)]
async fn replace_appearance(
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
