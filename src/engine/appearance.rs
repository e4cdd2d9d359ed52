//! The widget's appearance: what operators chose on the Widget page, read by every widget.

use super::audit::{Record, Requester};
use super::Engine;
use crate::domain::Appearance;
use crate::error::Error;
use crate::wire::{AuditAction, AuditTarget, Operator, WidgetAppearance};

/// Where the appearance is kept, as its wire JSON.
const APPEARANCE_KEY: &str = "widget_appearance";

impl Engine {
    /// The widget's appearance: the defaults until operators choose one. Read from the
    /// database each time, so every node shows the latest.
    pub async fn widget_appearance(&self) -> Result<WidgetAppearance, Error> {
        let stored = self
            .inner
            .store
            .db()
            .instance_setting(APPEARANCE_KEY)
            .await?;
        let Some(json) = stored else {
            return Ok(WidgetAppearance::default());
        };
        let sent: WidgetAppearance = serde_json::from_str(&json)
            .map_err(|err| anyhow::anyhow!("the stored widget appearance does not read: {err}"))?;
        Ok(sent)
    }

    /// Replaces the widget's appearance; widgets show it from their next load. The audit log
    /// records it (`widget_settings_changed`).
    pub async fn set_widget_appearance(
        &self,
        actor: &Operator,
        appearance: Appearance,
        from: &Requester,
    ) -> Result<WidgetAppearance, Error> {
        self.require(actor, crate::domain::Capability::ManageSettings)?;
        let wire = appearance.to_wire();
        let json = serde_json::to_string(&wire)
            .map_err(|err| anyhow::anyhow!("the widget appearance does not serialize: {err}"))?;
        let mut tx = self.inner.store.begin().await?;
        tx.db().put_instance_setting(APPEARANCE_KEY, &json).await?;
        let record = Record {
            action: AuditAction::WidgetSettingsChanged,
            actor: Some(actor),
            target: Some(AuditTarget {
                kind: "widget".to_owned(),
                id: APPEARANCE_KEY.to_owned(),
                label: "appearance".to_owned(),
            }),
            from,
            detail: serde_json::to_value(&wire).unwrap_or_default(),
        };
        self.audit(tx.db(), record).await?;
        tx.commit().await?;
        Ok(wire)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::clock::SystemClock;
    use crate::domain::{Appearance, BrandColor};
    use crate::engine::Requester;
    use crate::testing::test_engine;
    use crate::wire::{ReplyTime, WidgetAppearance, WidgetPosition, WidgetTheme};
    use crate::EngineConfig;

    #[tokio::test]
    async fn the_appearance_is_the_default_until_set_and_then_what_was_set() {
        let (engine, _db) = test_engine(EngineConfig::new("http://h"), Arc::new(SystemClock)).await;
        assert_eq!(
            engine.widget_appearance().await.unwrap(),
            WidgetAppearance::default()
        );
        let chosen = Appearance {
            team_name: Some("Acme Help".into()),
            greeting: Some("Hello from Acme".into()),
            color: BrandColor::parse("color", "#0a7d48").unwrap(),
            position: WidgetPosition::Left,
            theme: WidgetTheme::Dark,
            reply_time: ReplyTime::Hours,
        };
        let admin = crate::testing::test_operator(&engine).await;
        let saved = engine
            .set_widget_appearance(&admin, chosen.clone(), &Requester::default())
            .await
            .unwrap();
        assert_eq!(saved, chosen.to_wire());
        assert_eq!(engine.widget_appearance().await.unwrap(), chosen.to_wire());
        // A second choice replaces the first.
        let plain = Appearance::parse(&WidgetAppearance::default()).unwrap();
        engine
            .set_widget_appearance(&admin, plain, &Requester::default())
            .await
            .unwrap();
        assert_eq!(
            engine.widget_appearance().await.unwrap(),
            WidgetAppearance::default()
        );
    }
}
