//! Frameworks and the organization catalogue: the defaults shipped with
//! Concord (seeded on first start from `ssr/seed/`), and reading them back.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{criterion, dimension, framework, organization};
use super::internal;
use crate::model::{AppError, Criterion, Dimension, Framework, Organization, Scale};

const DEFAULT_FRAMEWORK: &str = include_str!("seed/framework_v1.json");
const DEFAULT_ORGANIZATIONS: &str = include_str!("seed/organizations.json");

/// The default framework (version 1), from the SIPRI chapter.
pub fn default_framework() -> Result<Framework, serde_json::Error> {
    serde_json::from_str(DEFAULT_FRAMEWORK)
}

/// The seeded organization catalogue (membership as of 2006).
pub fn default_organizations() -> Result<Vec<Organization>, serde_json::Error> {
    serde_json::from_str(DEFAULT_ORGANIZATIONS)
}

/// Checks a framework's shape: unique codes, usable scales.
pub fn check_framework(f: &Framework) -> Result<(), String> {
    let mut codes = std::collections::HashSet::new();
    if f.dimensions.is_empty() {
        return Err("A framework needs at least one dimension.".into());
    }
    for d in &f.dimensions {
        if !codes.insert(d.code.clone()) {
            return Err(format!("Dimension code {} is used twice.", d.code));
        }
        if d.criteria.is_empty() {
            return Err(format!("Dimension {} has no criteria.", d.code));
        }
        for c in &d.criteria {
            if !codes.insert(c.code.clone()) {
                return Err(format!("Criterion code {} is used twice.", c.code));
            }
            match &c.scale {
                Scale::Ordinal { levels } => {
                    // Cell statistics count in levels (±1 level, rWG's A):
                    // the values are the consecutive integers from the lowest.
                    if levels.len() < 2
                        || levels
                            .windows(2)
                            .any(|w| w[0].value.checked_add(1) != Some(w[1].value))
                    {
                        return Err(format!(
                            "Criterion {} needs two or more levels numbered one after another (e.g. 0, 1, 2, 3, 4).",
                            c.code
                        ));
                    }
                }
                Scale::Interval { min, max, step } => {
                    if !(min < max && *step > 0.0) {
                        return Err(format!(
                            "Criterion {} needs min < max and a positive step.",
                            c.code
                        ));
                    }
                }
                Scale::Nominal { categories } => {
                    let distinct: std::collections::HashSet<_> =
                        categories.iter().map(|c| &c.value).collect();
                    if categories.len() < 2 || distinct.len() != categories.len() {
                        return Err(format!(
                            "Criterion {} needs two or more distinct categories.",
                            c.code
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Inserts whatever of the defaults is missing. Never overwrites: admins may
/// have edited the catalogue, and used framework versions are immutable.
pub async fn seed_defaults(db: &DatabaseConnection) -> Result<(), AppError> {
    let txn = db.begin().await.map_err(internal)?;
    let framework = default_framework().map_err(internal)?;
    let exists = framework::Entity::find()
        .filter(framework::Column::Slug.eq(&framework.slug))
        .filter(framework::Column::Version.eq(framework.version))
        .one(&txn)
        .await
        .map_err(internal)?
        .is_some();
    if !exists {
        insert_framework(&txn, &framework).await?;
    }
    let known: std::collections::HashSet<String> = organization::Entity::find()
        .all(&txn)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|o| o.slug)
        .collect();
    for org in default_organizations().map_err(internal)? {
        if !known.contains(&org.slug) {
            organization::ActiveModel {
                slug: Set(org.slug),
                acronym: Set(org.acronym),
                name: Set(org.name),
                region: Set(org.region),
                founded: Set(org.founded),
                members: Set(serde_json::to_string(&org.members).map_err(internal)?),
                description: Set(org.description),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(internal)?;
        }
    }
    txn.commit().await.map_err(internal)
}

/// Stores a new framework version with its dimensions and criteria.
pub async fn insert_framework(db: &impl ConnectionTrait, f: &Framework) -> Result<i32, AppError> {
    check_framework(f).map_err(|m| AppError::Invalid {
        field: None,
        message: m,
    })?;
    let stored = framework::ActiveModel {
        slug: Set(f.slug.clone()),
        version: Set(f.version),
        name: Set(f.name.clone()),
        description: Set(f.description.clone()),
        source: Set(f.source.clone()),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(internal)?;
    for (dp, d) in f.dimensions.iter().enumerate() {
        let dim = dimension::ActiveModel {
            framework_id: Set(stored.id),
            position: Set(dp as i32),
            code: Set(d.code.clone()),
            name: Set(d.name.clone()),
            description: Set(d.description.clone()),
            ..Default::default()
        }
        .insert(db)
        .await
        .map_err(internal)?;
        for (cp, c) in d.criteria.iter().enumerate() {
            criterion::ActiveModel {
                dimension_id: Set(dim.id),
                position: Set(cp as i32),
                code: Set(c.code.clone()),
                prompt: Set(c.prompt.clone()),
                guidance: Set(c.guidance.clone()),
                scale: Set(serde_json::to_string(&c.scale).map_err(internal)?),
                ..Default::default()
            }
            .insert(db)
            .await
            .map_err(internal)?;
        }
    }
    Ok(stored.id)
}

/// A framework with its dimensions and criteria in order; the newest
/// version when `version` is `None`.
pub async fn load_framework(
    db: &DatabaseConnection,
    slug: &str,
    version: Option<i32>,
) -> Result<Option<Framework>, AppError> {
    let mut query = framework::Entity::find().filter(framework::Column::Slug.eq(slug));
    if let Some(v) = version {
        query = query.filter(framework::Column::Version.eq(v));
    }
    let Some(f) = query
        .order_by_desc(framework::Column::Version)
        .one(db)
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let dims = dimension::Entity::find()
        .filter(dimension::Column::FrameworkId.eq(f.id))
        .order_by_asc(dimension::Column::Position)
        .all(db)
        .await
        .map_err(internal)?;
    let crits = criterion::Entity::find()
        .filter(criterion::Column::DimensionId.is_in(dims.iter().map(|d| d.id)))
        .order_by_asc(criterion::Column::Position)
        .all(db)
        .await
        .map_err(internal)?;
    let mut dimensions = Vec::with_capacity(dims.len());
    for d in dims {
        let mut criteria = Vec::new();
        for c in crits.iter().filter(|c| c.dimension_id == d.id) {
            criteria.push(Criterion {
                code: c.code.clone(),
                prompt: c.prompt.clone(),
                guidance: c.guidance.clone(),
                scale: serde_json::from_str(&c.scale).map_err(internal)?,
            });
        }
        dimensions.push(Dimension {
            code: d.code,
            name: d.name,
            description: d.description,
            criteria,
        });
    }
    Ok(Some(Framework {
        slug: f.slug,
        name: f.name,
        version: f.version,
        source: f.source,
        description: f.description,
        dimensions,
    }))
}

fn to_organization(m: organization::Model) -> Result<Organization, AppError> {
    Ok(Organization {
        members: serde_json::from_str(&m.members).map_err(internal)?,
        slug: m.slug,
        acronym: m.acronym,
        name: m.name,
        region: m.region,
        founded: m.founded,
        description: m.description,
    })
}

/// The catalogue, by region then acronym.
pub async fn organizations(db: &DatabaseConnection) -> Result<Vec<Organization>, AppError> {
    organization::Entity::find()
        .order_by_asc(organization::Column::Region)
        .order_by_asc(organization::Column::Acronym)
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(to_organization)
        .collect()
}

pub async fn organization(
    db: &DatabaseConnection,
    slug: &str,
) -> Result<Option<Organization>, AppError> {
    organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(internal)?
        .map(to_organization)
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_framework_is_well_formed() {
        let f = default_framework().expect("framework_v1.json parses");
        check_framework(&f).expect("valid shape");
        assert_eq!(f.version, 1);
        assert!(
            f.dimensions.len() >= 5,
            "four functions plus normative quality"
        );
        let ordinal = f
            .dimensions
            .iter()
            .flat_map(|d| &d.criteria)
            .filter(|c| matches!(&c.scale, Scale::Ordinal { levels } if levels.len() == 5))
            .count();
        assert!(
            ordinal >= 15,
            "several 0–4 criteria per dimension, found {ordinal}"
        );
        let nominal: Vec<_> = f
            .dimensions
            .iter()
            .flat_map(|d| &d.criteria)
            .filter_map(|c| match &c.scale {
                Scale::Nominal { categories } => Some(
                    categories
                        .iter()
                        .map(|c| c.value.as_str())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .collect();
        assert_eq!(
            nominal,
            vec![vec![
                "alliance",
                "collective-security",
                "security-regime",
                "security-community",
                "none"
            ]]
        );
    }

    #[test]
    fn ordinal_levels_must_be_consecutive() {
        fn first_ordinal(f: &mut Framework) -> &mut Vec<crate::model::framework::Level> {
            f.dimensions
                .iter_mut()
                .flat_map(|d| d.criteria.iter_mut())
                .find_map(|c| match &mut c.scale {
                    Scale::Ordinal { levels } => Some(levels),
                    _ => None,
                })
                .expect("an ordinal criterion")
        }
        let mut f = default_framework().expect("framework_v1.json parses");
        let last = first_ordinal(&mut f).len() - 1;
        first_ordinal(&mut f)[last].value += 1;
        let e = check_framework(&f).expect_err("a gap between levels");
        assert!(e.contains("one after another"), "{e}");
        first_ordinal(&mut f)[last].value -= 2;
        assert!(check_framework(&f).is_err(), "a repeated level");
    }

    #[test]
    fn the_catalogue_has_real_organizations_with_iso_members() {
        let orgs = default_organizations().expect("organizations.json parses");
        assert!(orgs.len() >= 18);
        let slugs: std::collections::HashSet<_> = orgs.iter().map(|o| &o.slug).collect();
        assert_eq!(slugs.len(), orgs.len(), "slugs are unique");
        for o in &orgs {
            assert!(!o.members.is_empty(), "{} has members", o.slug);
            for m in &o.members {
                assert!(
                    m.len() == 2 && m.chars().all(|c| c.is_ascii_uppercase()),
                    "{}: {m}",
                    o.slug
                );
            }
        }
        let count = |slug: &str| {
            orgs.iter()
                .find(|o| o.slug == slug)
                .map(|o| o.members.len())
        };
        // Membership on 31 December 2006.
        assert_eq!(count("eu"), Some(25));
        assert_eq!(count("nato"), Some(26));
        assert_eq!(count("asean"), Some(10));
        assert_eq!(count("sco"), Some(6));
        assert_eq!(count("gcc"), Some(6));
    }
}
