//! How the call's tiles fill the stage: as many columns as make the tiles (all 16:9, all the
//! same size) largest in the space there is, like Meet's grid. Two people beside an open chat
//! on a laptop stack in one column of large tiles rather than sitting small in one row over
//! an empty band.

/// A tile's width over its height.
pub const TILE_RATIO: f64 = 16.0 / 9.0;

/// The columns and the tiles' width (CSS pixels) for a grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridFit {
    pub columns: usize,
    pub tile_width: f64,
}

/// The fit for `tiles` tiles in a `width`×`height` area with `gap` between tiles: the column
/// count whose tiles are widest (fewer columns when two fit alike).
pub fn best_grid(tiles: usize, width: f64, height: f64, gap: f64) -> GridFit {
    let tiles = tiles.max(1);
    let mut best = GridFit {
        columns: 1,
        tile_width: 0.0,
    };
    for columns in 1..=tiles {
        let rows = tiles.div_ceil(columns);
        let by_width = (width - gap * (columns - 1) as f64) / columns as f64;
        let by_height = (height - gap * (rows - 1) as f64) / rows as f64 * TILE_RATIO;
        let tile_width = by_width.min(by_height).max(0.0);
        if tile_width > best.tile_width + 0.5 {
            best = GridFit {
                columns,
                tile_width,
            };
        }
    }
    best
}

/// The width (CSS pixels) of the strip's tiles in speaker view.
pub const STRIP_TILE_WIDTH: f64 = 160.0;

/// Speaker view in a `width`×`height` area: the large tile's width, with `others` small
/// tiles in rows of [`STRIP_TILE_WIDTH`] below it and `gap` between them.
pub fn speaker_width(others: usize, width: f64, height: f64, gap: f64) -> f64 {
    if others == 0 {
        return best_grid(1, width, height, gap).tile_width;
    }
    let per_row = ((width + gap) / (STRIP_TILE_WIDTH + gap)).floor().max(1.0) as usize;
    let rows = others.div_ceil(per_row) as f64;
    let strip = rows * (STRIP_TILE_WIDTH / TILE_RATIO + gap);
    width.min((height - strip) * TILE_RATIO).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(tiles: usize, width: f64, height: f64) -> (usize, u32) {
        let fit = best_grid(tiles, width, height, 12.0);
        (fit.columns, fit.tile_width.round() as u32)
    }

    #[test]
    fn two_beside_an_open_chat_stack_in_one_large_column() {
        // A laptop's stage beside the chat: 904×650.
        assert_eq!(fit(2, 904.0, 650.0), (1, 567));
        // The whole width of a wide screen: side by side.
        assert_eq!(fit(2, 1256.0, 650.0), (2, 622));
    }

    #[test]
    fn more_people_make_rows_and_columns() {
        assert_eq!(fit(1, 1600.0, 900.0), (1, 1600));
        assert_eq!(fit(4, 1212.0, 700.0).0, 2);
        assert_eq!(fit(8, 1256.0, 650.0).0, 3);
        // A phone: one column.
        assert_eq!(fit(2, 336.0, 300.0).0, 1);
    }

    #[test]
    fn no_room_or_no_tiles_is_harmless() {
        assert_eq!(best_grid(0, 800.0, 450.0, 12.0).columns, 1);
        assert_eq!(best_grid(3, 0.0, 0.0, 12.0).tile_width, 0.0);
        assert_eq!(best_grid(3, -5.0, f64::NAN, 12.0).tile_width, 0.0);
    }

    #[test]
    fn speaker_view_leaves_room_for_the_strip() {
        // 904×500 beside the chat, two others: one row of 90 px tiles under the large one.
        let large = speaker_width(2, 904.0, 500.0, 12.0);
        assert_eq!(large.round(), ((500.0 - 102.0) * TILE_RATIO).round());
        // Wide and short: the height decides; narrow and tall: the width does.
        assert_eq!(speaker_width(1, 400.0, 900.0, 12.0), 400.0);
        // Alone: as large as the grid would make one tile.
        assert_eq!(
            speaker_width(0, 904.0, 650.0, 12.0),
            best_grid(1, 904.0, 650.0, 12.0).tile_width
        );
        // Seven others on a phone (360 wide: two per row, four rows) still leave a tile.
        assert!(speaker_width(7, 360.0, 600.0, 12.0) > 100.0);
    }
}
