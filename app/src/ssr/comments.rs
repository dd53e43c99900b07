//! Comment threads on cells (organization × criterion). Who may read and
//! write them follows the blindness rule of the peers' scorecards: a thread
//! reveals that peers have rated, so it stays closed until the rule opens.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::comment;
use super::internal;
use super::policy;
use super::scorecards::criteria;
use super::studies::{record, StudyContext};
use crate::model::scorecard::{CommentView, COMMENT_MAX};
use crate::model::validation::check_text;
use crate::model::AppError;

fn closed() -> AppError {
    AppError::Forbidden(
        "Comments on this organization’s cells open with the peers’ scorecards, under the study’s \
         visibility rule."
            .into(),
    )
}

/// Posts a comment on one cell, optionally as a reply. Returns its id.
pub async fn post(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
    criterion_code: &str,
    body: &str,
    parent: Option<i32>,
) -> Result<i32, AppError> {
    let standing = ctx.standing(db, organization_id).await?;
    let member = ctx.member.as_ref().ok_or_else(closed)?;
    if !policy::may_comment(ctx.viewer, ctx.phase, ctx.settings.visibility, standing) {
        return Err(closed());
    }
    if !super::studies::includes(db, ctx.study.id, organization_id).await? {
        return Err(AppError::invalid(
            "organization",
            "That organization is not part of this study.",
        ));
    }
    let body = body.trim();
    check_text(
        "body",
        body,
        true,
        COMMENT_MAX,
        format!("Write a comment of 1 to {COMMENT_MAX} characters."),
    )?;
    let criterion = criteria(db, ctx.study.framework_id)
        .await?
        .into_iter()
        .find(|c| c.code == criterion_code)
        .ok_or_else(|| {
            AppError::invalid(
                "criterion",
                format!("This study's framework has no criterion {criterion_code:?}."),
            )
        })?;
    if let Some(parent) = parent {
        let same_cell = comment::Entity::find_by_id(parent)
            .one(db)
            .await
            .map_err(internal)?
            .is_some_and(|p| {
                p.study_id == ctx.study.id
                    && p.organization_id == organization_id
                    && p.criterion_id == Some(criterion.id)
            });
        if !same_cell {
            return Err(AppError::invalid(
                "parent",
                "You can only reply to a comment on the same cell.",
            ));
        }
    }
    // The comment and its audit entry are written together or not at all.
    let txn = db.begin().await.map_err(internal)?;
    let created = comment::ActiveModel {
        study_id: Set(ctx.study.id),
        organization_id: Set(organization_id),
        criterion_id: Set(Some(criterion.id)),
        panel_member_id: Set(member.id),
        parent_id: Set(parent),
        body: Set(body.to_string()),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(internal)?;
    record(
        &txn,
        Some(ctx.study.id),
        Some(member.user_id),
        "comment.post",
        serde_json::json!({"organization_id": organization_id, "criterion": criterion_code, "comment_id": created.id}),
    )
    .await?;
    txn.commit().await.map_err(internal)?;
    Ok(created.id)
}

/// Every comment on the organization's cells, oldest first, under
/// pseudonyms (with names for moderators). Refused like the peers' view.
pub async fn threads(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<Vec<CommentView>, AppError> {
    let standing = ctx.standing(db, organization_id).await?;
    if !policy::may_see_peer_ratings(ctx.viewer, ctx.phase, ctx.settings.visibility, standing) {
        return Err(closed());
    }
    let codes: HashMap<i32, String> = criteria(db, ctx.study.framework_id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();
    let members = super::studies::members_by_id(db, ctx.study.id).await?;
    let names = if policy::may_see_identities(ctx.viewer) {
        super::users::display_names(db, members.values().map(|m| m.user_id)).await?
    } else {
        HashMap::new()
    };
    let rows = comment::Entity::find()
        .filter(comment::Column::StudyId.eq(ctx.study.id))
        .filter(comment::Column::OrganizationId.eq(organization_id))
        .order_by_asc(comment::Column::Id)
        .all(db)
        .await
        .map_err(internal)?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    Ok(rows
        .into_iter()
        .map(|c| {
            let member = members.get(&c.panel_member_id);
            CommentView {
                id: c.id,
                criterion: c
                    .criterion_id
                    .and_then(|id| codes.get(&id).cloned())
                    .unwrap_or_default(),
                author: member.map(|m| m.pseudonym.clone()).unwrap_or_default(),
                author_name: member.and_then(|m| names.get(&m.user_id).cloned()),
                body: c.body,
                posted: c.created_at.format(&format).unwrap_or_default(),
                parent: c.parent_id,
            }
        })
        .collect())
}
