//! Check, Explain and Remove run to their results.

use super::*;

#[test]
fn a_task_run_to_its_result_ends_with_success() {
    let mut app = with_account();
    choose_task(&mut app, Task::Check);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Check);
    assert_eq!(app.end(), End::Nothing, "not before the result");
    let Some(Effect::Check { attempt }) = effects.first() else {
        panic!("{effects:?}");
    };
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::Checked {
            attempt,
            result: Ok(vec![]),
        }],
    );
    assert_eq!(app.end(), End::TaskDone);
}
