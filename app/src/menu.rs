//! Keys in a menu laid out as a grid (the emoji picker), after the WAI-ARIA menu pattern:
//! arrows move between items (up and down by a row), Home and End jump to the ends, Escape
//! closes and gives focus back to the menu's button, Tab closes and moves focus on (to what
//! follows the button; Shift+Tab: to the button).

/// What a key does in an open menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuStep {
    /// Focus the item at this index.
    Focus(usize),
    /// Close, and focus the button that opened the menu.
    Close,
    /// Close, and move focus on past the menu (Tab).
    Leave,
    /// Not the menu's key: the browser does what it does.
    Ignore,
}

/// The step for `key` (a `KeyboardEvent.key`) when the item at `current` has focus (`None`:
/// none has) in a menu of `len` items in rows of `columns`.
pub fn menu_step(key: &str, current: Option<usize>, len: usize, columns: usize) -> MenuStep {
    let columns = columns.max(1);
    if len == 0 {
        return match key {
            "Escape" => MenuStep::Close,
            "Tab" => MenuStep::Leave,
            _ => MenuStep::Ignore,
        };
    }
    let last = len - 1;
    let at = current.unwrap_or(0).min(last);
    let to = match key {
        "ArrowRight" => (at + 1) % len,
        "ArrowLeft" => (at + last) % len,
        // Down from the last row wraps to the top of the same column, up from the first row
        // to the lowest item of that column.
        "ArrowDown" if at + columns <= last => at + columns,
        "ArrowDown" => at % columns,
        "ArrowUp" if at >= columns => at - columns,
        "ArrowUp" => {
            let column = at % columns;
            column + (last - column) / columns * columns
        }
        "Home" => 0,
        "End" => last,
        "Escape" => return MenuStep::Close,
        "Tab" => return MenuStep::Leave,
        _ => return MenuStep::Ignore,
    };
    MenuStep::Focus(to)
}

#[cfg(test)]
mod tests {
    use super::{menu_step, MenuStep};

    /// 14 items in rows of 6: rows 0–5, 6–11, 12–13.
    fn step(key: &str, at: usize) -> MenuStep {
        menu_step(key, Some(at), 14, 6)
    }

    #[test]
    fn left_and_right_move_by_one_and_wrap_around() {
        assert_eq!(step("ArrowRight", 0), MenuStep::Focus(1));
        assert_eq!(step("ArrowRight", 13), MenuStep::Focus(0));
        assert_eq!(step("ArrowLeft", 0), MenuStep::Focus(13));
        assert_eq!(step("ArrowLeft", 7), MenuStep::Focus(6));
    }

    #[test]
    fn up_and_down_move_by_a_row_and_wrap_within_the_column() {
        assert_eq!(step("ArrowDown", 1), MenuStep::Focus(7));
        assert_eq!(step("ArrowDown", 7), MenuStep::Focus(13));
        // The last row is short: column 3 has no third item, so down wraps to the top.
        assert_eq!(step("ArrowDown", 9), MenuStep::Focus(3));
        assert_eq!(step("ArrowDown", 13), MenuStep::Focus(1));
        assert_eq!(step("ArrowUp", 7), MenuStep::Focus(1));
        assert_eq!(step("ArrowUp", 1), MenuStep::Focus(13));
        assert_eq!(step("ArrowUp", 3), MenuStep::Focus(9));
    }

    #[test]
    fn home_end_escape_and_tab() {
        assert_eq!(step("Home", 9), MenuStep::Focus(0));
        assert_eq!(step("End", 2), MenuStep::Focus(13));
        assert_eq!(step("Escape", 2), MenuStep::Close);
        assert_eq!(step("Tab", 2), MenuStep::Leave);
        assert_eq!(step("a", 2), MenuStep::Ignore);
        assert_eq!(step("Enter", 2), MenuStep::Ignore);
    }

    #[test]
    fn odd_inputs_stay_inside_the_menu() {
        assert_eq!(menu_step("ArrowRight", None, 14, 6), MenuStep::Focus(1));
        assert_eq!(menu_step("ArrowRight", Some(99), 14, 6), MenuStep::Focus(0));
        assert_eq!(menu_step("ArrowDown", Some(0), 14, 0), MenuStep::Focus(1));
        assert_eq!(menu_step("ArrowDown", None, 0, 6), MenuStep::Ignore);
        assert_eq!(menu_step("Escape", None, 0, 6), MenuStep::Close);
        assert_eq!(menu_step("ArrowUp", Some(0), 1, 6), MenuStep::Focus(0));
    }
}
