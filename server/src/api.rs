//! `/api/v1`: published data as JSON and CSV, described by an OpenAPI
//! document generated from these handlers and the model types
//! (`/api/v1/openapi.json`). Only releases are read here: nothing
//! unpublished, no identities, rater-level data only in cells with at
//! least k raters (as frozen at publication).

use app::model::results::{PublishedStudy, Release, ReleaseSummary};
use app::model::{AppError, Organization};
use app::ssr::{catalogue, releases, AppState};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Concord API",
        version = "1",
        description = "Published results of expert assessments of regional security organizations. Read-only; releases are immutable."
    ),
    paths(
        organizations,
        organization,
        studies,
        releases_of,
        release,
        cells_csv,
        ratings_csv
    ),
    components(schemas(
        Organization,
        PublishedStudy,
        ReleaseSummary,
        Release,
        app::model::results::StudyResults,
        app::model::results::OrganizationRef,
        app::model::results::DimensionRef,
        app::model::results::CriterionRef,
        app::model::results::CellResult,
        app::model::results::ReconciliationNote,
        app::model::results::ReliabilityRow,
        app::model::results::ProfileRow,
        app::model::results::RaterRow,
        app::model::results::AnonymousRating,
        app::model::results::ChangeEntry,
        ApiError,
    ))
)]
pub struct ApiDoc;

/// The routes of `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/organizations", get(organizations))
        .route("/api/v1/organizations/{slug}", get(organization))
        .route("/api/v1/studies", get(studies))
        .route("/api/v1/studies/{id}/releases", get(releases_of))
        .route("/api/v1/studies/{id}/releases/{number}", get(release))
        .route(
            "/api/v1/studies/{id}/releases/{number}/cells.csv",
            get(cells_csv),
        )
        .route(
            "/api/v1/studies/{id}/releases/{number}/ratings.csv",
            get(ratings_csv),
        )
}

/// An error as the API reports it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ApiError {
    pub error: String,
}

struct Failure(AppError);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = match &self.0 {
            AppError::NotFound => "not found".to_string(),
            e if status.is_server_error() => {
                tracing::error!(error = %e, "api");
                "internal error".to_string()
            }
            e => e.to_string(),
        };
        (status, Json(ApiError { error: message })).into_response()
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure(e)
    }
}

async fn openapi() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => Failure(app::ssr::internal(e)).into_response(),
    }
}

/// The organization catalogue (members as of the seed's reference year).
#[utoipa::path(get, path = "/api/v1/organizations",
    responses((status = 200, body = [Organization])))]
async fn organizations(State(state): State<AppState>) -> Result<Json<Vec<Organization>>, Failure> {
    Ok(Json(catalogue::organizations(&state.db).await?))
}

/// One organization of the catalogue.
#[utoipa::path(get, path = "/api/v1/organizations/{slug}",
    params(("slug" = String, Path, description = "The organization's slug, e.g. nato")),
    responses((status = 200, body = Organization), (status = 404, body = ApiError)))]
async fn organization(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Organization>, Failure> {
    Ok(Json(
        catalogue::organization(&state.db, &slug)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

/// Studies with at least one published release.
#[utoipa::path(get, path = "/api/v1/studies",
    responses((status = 200, body = [PublishedStudy])))]
async fn studies(State(state): State<AppState>) -> Result<Json<Vec<PublishedStudy>>, Failure> {
    Ok(Json(releases::published_studies(&state.db).await?))
}

/// A study's releases, newest first.
#[utoipa::path(get, path = "/api/v1/studies/{id}/releases",
    params(("id" = i32, Path, description = "Study id")),
    responses((status = 200, body = [ReleaseSummary]), (status = 404, body = ApiError)))]
async fn releases_of(
    State(state): State<AppState>,
    Path(id): Path<i32>,
) -> Result<Json<Vec<ReleaseSummary>>, Failure> {
    Ok(Json(releases::history(&state.db, id).await?))
}

/// One release in full: cells, profiles, reliability, anonymized ratings
/// (cells with at least k raters), changelog.
#[utoipa::path(get, path = "/api/v1/studies/{id}/releases/{number}",
    params(("id" = i32, Path, description = "Study id"), ("number" = i32, Path, description = "Release number")),
    responses((status = 200, body = Release), (status = 404, body = ApiError)))]
async fn release(
    State(state): State<AppState>,
    Path((id, number)): Path<(i32, i32)>,
) -> Result<Json<Release>, Failure> {
    Ok(Json(releases::release(&state.db, id, Some(number)).await?))
}

fn csv(name: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A release's cells as tidy long CSV: one row per cell.
#[utoipa::path(get, path = "/api/v1/studies/{id}/releases/{number}/cells.csv",
    params(("id" = i32, Path, description = "Study id"), ("number" = i32, Path, description = "Release number")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ApiError)))]
async fn cells_csv(
    State(state): State<AppState>,
    Path((id, number)): Path<(i32, i32)>,
) -> Result<Response, Failure> {
    let r = releases::release(&state.db, id, Some(number)).await?;
    Ok(csv(
        format!("concord-study-{id}-release-{number}-cells.csv"),
        releases::cells_csv(&r),
    ))
}

/// A release's anonymized ratings as tidy long CSV (`unit,rater,value,…`),
/// only for cells with at least k raters; `concord agreement` reads it.
#[utoipa::path(get, path = "/api/v1/studies/{id}/releases/{number}/ratings.csv",
    params(("id" = i32, Path, description = "Study id"), ("number" = i32, Path, description = "Release number")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ApiError)))]
async fn ratings_csv(
    State(state): State<AppState>,
    Path((id, number)): Path<(i32, i32)>,
) -> Result<Response, Failure> {
    let r = releases::release(&state.db, id, Some(number)).await?;
    Ok(csv(
        format!("concord-study-{id}-release-{number}-ratings.csv"),
        releases::ratings_csv(&r),
    ))
}
