//! A two-expert panel on NATO and the EU, and the steps tests take with it.

use app::model::scorecard::RatingInput;
use app::model::study::{PanelRole, StudySettings, VisibilityRule};
use app::ssr::studies::{self, NewStudy, StudyContext};
use app::ssr::{catalogue, scorecards, users};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use super::PASSWORD;

pub async fn person(db: &DatabaseConnection, email: &str, name: &str) -> i32 {
    users::register(
        db,
        users::NewAccount {
            email: email.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            is_admin: false,
        },
    )
    .await
    .expect("register")
    .id
}

pub struct Panel {
    pub study: i32,
    pub moderator: i32,
    pub a: i32,
    pub b: i32,
    pub nato: i32,
    pub eu: i32,
}

pub async fn panel(db: &DatabaseConnection, visibility: VisibilityRule) -> Panel {
    let moderator = person(db, "mod@example.org", "Mona Moderator").await;
    let a = person(db, "a@example.org", "Ada Analyst").await;
    let b = person(db, "b@example.org", "Bo Bureaucrat").await;
    let study = studies::create_study(
        db,
        moderator,
        NewStudy {
            title: "Regional security 2005–2006".into(),
            description: String::new(),
            framework_slug: "regional-security-cooperation".into(),
            framework_version: None,
            period_start: 2005,
            period_end: 2006,
            organizations: vec!["nato".into(), "eu".into()],
            settings: StudySettings {
                visibility,
                ..StudySettings::default()
            },
        },
    )
    .await
    .expect("create study");
    let ctx = StudyContext::load(db, study, Some(moderator), false)
        .await
        .unwrap();
    studies::invite(db, &ctx, moderator, "A@example.org", PanelRole::Expert)
        .await
        .unwrap();
    studies::invite(db, &ctx, moderator, "b@example.org", PanelRole::Expert)
        .await
        .unwrap();
    let nato = studies::organization_id(db, "nato").await.unwrap();
    let eu = studies::organization_id(db, "eu").await.unwrap();
    Panel {
        study,
        moderator,
        a,
        b,
        nato,
        eu,
    }
}

pub async fn advance(db: &DatabaseConnection, p: &Panel) {
    let ctx = StudyContext::load(db, p.study, Some(p.moderator), false)
        .await
        .unwrap();
    studies::advance_phase(db, &ctx, p.moderator, ctx.phase)
        .await
        .unwrap();
}

pub async fn ctx(db: &DatabaseConnection, p: &Panel, user: i32) -> StudyContext {
    StudyContext::load(db, p.study, Some(user), false)
        .await
        .unwrap()
}

pub fn rating(code: &str, value: &str, base: i32) -> RatingInput {
    RatingInput {
        criterion: code.into(),
        value: Some(value.into()),
        dont_know: false,
        confidence: Some(60),
        justification: format!("Why {code} is {value}."),
        evidence: vec!["SIPRI Yearbook 2006, ch. 4".into()],
        base_revision: base,
    }
}

/// Every criterion of the default framework answered.
pub async fn fill(db: &DatabaseConnection, ctx: &StudyContext, org: i32, level: &str) {
    let framework = catalogue::default_framework().unwrap();
    for c in framework.dimensions.iter().flat_map(|d| &d.criteria) {
        let value = match &c.scale {
            app::model::Scale::Nominal { .. } => "security-regime",
            _ => level,
        };
        let own = scorecards::own_ratings(db, ctx, org).await.unwrap();
        let base = own
            .iter()
            .find(|r| r.criterion == c.code)
            .map(|r| r.revision)
            .unwrap_or(0);
        scorecards::save_rating(db, ctx, org, rating(&c.code, value, base))
            .await
            .expect("save");
    }
}

pub async fn ratings_count(db: &DatabaseConnection) -> u64 {
    app::ssr::entities::rating::Entity::find()
        .count(db)
        .await
        .unwrap()
}

pub async fn submitted_pair(db: &DatabaseConnection, p: &Panel, org: i32) {
    for (who, level) in [(p.a, "2"), (p.b, "3")] {
        let c = ctx(db, p, who).await;
        fill(db, &c, org, level).await;
        scorecards::submit(db, &c, org).await.unwrap();
    }
}
