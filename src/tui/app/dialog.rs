//! Dialogs: the questions the wizard asks before it goes on.
//!
//! The rule that keeps typed text from changing anything: a dialog that changes AWS, GitLab or a
//! file of the user's (`Confirm::changes`) opens with **Cancel** chosen, and the only keys that
//! choose the other button are ← and →, which no text contains. Enter presses the chosen button;
//! letters press nothing. A dialog whose change takes something away that cannot simply be put
//! back (a role removed, a trust narrowed) also wants the role's name typed first, as hosting
//! sites do for deleting a repository. The other dialogs (continue a stopped setup, the export's
//! format, an admin-level policy ticked, quit) change nothing outside the wizard and keep their
//! letter keys.

use super::*;

/// A question shown over the screen; keys go to it until it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Remove the role (and the provider, if it goes) shown in the plan.
    Remove {
        role: String,
    },
    /// The GitLab variable holds another value: replace it?
    ReplaceVariable {
        reason: String,
    },
    /// Store the role ARN as a CI/CD variable of these projects.
    StoreVariable {
        key: String,
        host: String,
        projects: Vec<String>,
    },
    /// Done's `x`: which format to write in the current directory.
    ExportFormat,
    /// Write the export as a new file in the current directory?
    WriteExport {
        path: std::path::PathBuf,
        content: String,
    },
    /// Forget the stopped setup (its journal) and start over?
    StartOver {
        summary: String,
    },
    /// The export's file exists with other content: replace it?
    OverwriteExport {
        path: std::path::PathBuf,
        content: String,
    },
    /// A stopped setup was found: continue it, or start over.
    Resume {
        summary: String,
    },
    AdminPolicy {
        arn: String,
        name: String,
    },
    /// Roll the setup out to the accounts of the units, as Review showed it.
    Rollout {
        changes: Vec<String>,
        reasons: Vec<String>,
        /// The attempt of the plan it was opened for: only that plan is rolled out.
        plan: u64,
    },
    /// Apply the plan shown on Review.
    Apply {
        /// What will change, one line per action.
        changes: Vec<String>,
        /// What needs a second look (an existing role changed, an admin-level policy).
        reasons: Vec<String>,
        /// The role's name, to be typed: the trust it has today loses something.
        name: Option<String>,
    },
    /// Run a failed step of the apply again, and what follows it.
    Retry {
        step: String,
        from: usize,
    },
    Quit,
    /// Quit with answers typed and not applied: they are kept as a draft.
    QuitDraft,
    /// Remove a role the plan refused: one aws-oidc-wizard did not create, or one in instance
    /// profiles (taken out of them first). This only shows what removing it would do.
    ForceRemove {
        role: String,
        /// The refusal, in words.
        why: String,
        in_profiles: bool,
    },
}

impl Confirm {
    /// Whether answering yes changes AWS, GitLab or a file: then only ←/→ and Enter confirm.
    pub fn changes(&self) -> bool {
        matches!(
            self,
            Confirm::Remove { .. }
                | Confirm::ReplaceVariable { .. }
                | Confirm::StoreVariable { .. }
                | Confirm::OverwriteExport { .. }
                | Confirm::WriteExport { .. }
                | Confirm::StartOver { .. }
                | Confirm::Apply { .. }
                | Confirm::Rollout { .. }
                | Confirm::Retry { .. }
        )
    }

    /// The name to type before the change button does anything.
    pub fn name_to_type(&self) -> Option<&str> {
        match self {
            Confirm::Remove { role } => Some(role),
            Confirm::Apply { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    /// The label of the button that makes the change.
    pub fn go_label(&self) -> &'static str {
        match self {
            Confirm::Remove { .. } => "Remove",
            Confirm::ReplaceVariable { .. } => "Replace",
            Confirm::StoreVariable { .. } => "Store",
            Confirm::OverwriteExport { .. } => "Replace the file",
            Confirm::WriteExport { .. } => "Write it",
            Confirm::StartOver { .. } => "Start over",
            Confirm::Apply { .. } => "Apply",
            Confirm::Rollout { .. } => "Roll out",
            Confirm::Retry { .. } => "Retry",
            _ => "Yes",
        }
    }
}

/// The two buttons of a changing dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Button {
    #[default]
    Cancel,
    Go,
}

/// A changing dialog's state: the chosen button, the name typed, and why Enter did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Buttons {
    pub chosen: Button,
    pub typed: String,
    pub refused: Option<String>,
}

impl App {
    /// Open a dialog, with Cancel chosen and nothing typed.
    pub(super) fn ask(&mut self, c: Confirm) {
        self.buttons = Buttons::default();
        self.confirm = Some(c);
    }

    /// A paste while a dialog is open: text for the name field, if it has one; never an answer.
    pub(super) fn paste_in_dialog(&mut self, text: &str) {
        if self
            .confirm
            .as_ref()
            .and_then(Confirm::name_to_type)
            .is_some()
        {
            self.buttons.typed.extend(
                text.chars()
                    .filter(|c| !c.is_control() && !crate::sanitize::acts_on(*c)),
            );
            self.buttons.chosen = Button::Cancel;
            self.buttons.refused = None;
        }
    }
}

/// A key while a dialog is open.
pub(super) fn on_confirm(app: &mut App, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    if confirm.changes() {
        return on_change_dialog(app, confirm, key);
    }
    if let Confirm::Resume { .. } = confirm {
        return match key.code {
            KeyCode::Char('c') | KeyCode::Char('y') | KeyCode::Enter => {
                app.confirm = None;
                app.resume()
            }
            // Forgetting the stopped setup deletes its journal: asked again, Cancel first.
            KeyCode::Char('s') | KeyCode::Char('n') => {
                if let Confirm::Resume { summary } = confirm {
                    app.ask(Confirm::StartOver { summary });
                }
                vec![]
            }
            KeyCode::Esc => {
                app.confirm = None;
                app.journal = None;
                vec![]
            }
            _ => vec![],
        };
    }
    if let Confirm::ExportFormat = confirm {
        let format = match key.code {
            KeyCode::Char('t') => crate::export::Format::Terraform,
            KeyCode::Char('c') => crate::export::Format::Cloudformation,
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('n') => {
                app.confirm = None;
                return vec![];
            }
            _ => return vec![],
        };
        app.confirm = None;
        return app.export(format);
    }
    let yes = matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y'));
    let no = matches!(
        key.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Enter
    );
    if !yes && !no {
        return vec![];
    }
    app.confirm = None;
    match confirm {
        Confirm::AdminPolicy { arn, .. } if yes => {
            app.set_selected(&arn, true);
            vec![]
        }
        Confirm::Quit | Confirm::QuitDraft if yes => app.quit_now(),
        Confirm::ForceRemove { .. } if yes => app.plan_remove(true),
        _ => vec![],
    }
}

/// A dialog that changes something: ←/→ choose a button, Enter presses it, Esc cancels; typed
/// characters go to the name field (when there is one) and choose Cancel again.
fn on_change_dialog(app: &mut App, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    let name = confirm.name_to_type().map(str::to_string);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Left => app.buttons.chosen = Button::Cancel,
        KeyCode::Right => app.buttons.chosen = Button::Go,
        KeyCode::Esc => cancel(app, confirm),
        KeyCode::Enter if app.buttons.chosen == Button::Cancel => cancel(app, confirm),
        KeyCode::Enter => {
            if let Some(name) = name.filter(|n| *n != app.buttons.typed) {
                app.buttons.refused = Some(format!("type {name} first"));
                app.buttons.chosen = Button::Cancel;
                return vec![];
            }
            app.confirm = None;
            return press(app, confirm);
        }
        KeyCode::Char('u') if ctrl && name.is_some() => {
            app.buttons.typed.clear();
            app.buttons.chosen = Button::Cancel;
        }
        KeyCode::Backspace if name.is_some() => {
            app.buttons.typed.pop();
            app.buttons.chosen = Button::Cancel;
        }
        KeyCode::Char(c) if !ctrl && name.is_some() => {
            app.buttons.typed.push(c);
            app.buttons.chosen = Button::Cancel;
            app.buttons.refused = None;
        }
        _ => {}
    }
    vec![]
}

/// Cancel: the dialog closes (starting over was asked from the question to continue, which
/// comes back).
fn cancel(app: &mut App, confirm: Confirm) {
    app.confirm = None;
    if let Confirm::StartOver { summary } = confirm {
        app.ask(Confirm::Resume { summary });
    }
}

/// The change button of a dialog, pressed.
fn press(app: &mut App, confirm: Confirm) -> Vec<Effect> {
    match confirm {
        Confirm::Apply { .. } => super::screens::apply::begin(app),
        Confirm::Rollout { plan, .. } => super::screens::units::begin(app, plan),
        Confirm::Retry { from, .. } => app.start_apply(from),
        Confirm::Remove { .. } => app.confirm_remove(),
        Confirm::StoreVariable { .. } => app.store_variable(false),
        Confirm::ReplaceVariable { .. } => app.store_variable(true),
        Confirm::OverwriteExport { path, content } => vec![Effect::WriteExport {
            path,
            content,
            overwrite: true,
        }],
        Confirm::WriteExport { path, content } => vec![Effect::WriteExport {
            path,
            content,
            overwrite: false,
        }],
        Confirm::StartOver { .. } => {
            app.journal = None;
            vec![Effect::ClearJournal]
        }
        _ => vec![],
    }
}
