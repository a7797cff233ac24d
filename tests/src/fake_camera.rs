//! A tiny synthetic camera for crowded calls: a Y4M file Chromium loops as its fake capture
//! device (`--use-file-for-fake-video-capture`, see [`crate::stage::Stage::browser_with_camera`]).
//! Small frames keep the encoders and decoders of many browsers within two cores; a square that
//! moves on every frame makes each frame differ, so the receiver's frame callbacks keep firing
//! and two pictures taken apart are never equal.

use std::path::Path;

/// What the file shows.
#[derive(Debug, Clone, Copy)]
pub struct FakeCamera {
    pub width: usize,
    pub height: usize,
    pub fps: u32,
    /// Frames in one loop of the file.
    pub frames: usize,
    /// The background's chroma (U, V): one colour per participant tells their pictures apart.
    pub tint: (u8, u8),
}

impl FakeCamera {
    /// 160×120 at 15 frames per second, a two-second loop.
    pub fn small(tint: (u8, u8)) -> FakeCamera {
        FakeCamera {
            width: 160,
            height: 120,
            fps: 15,
            frames: 30,
            tint,
        }
    }

    /// 640×480 at 15 frames per second, a two-second loop: large enough to be sent in three
    /// simulcast layers (480, 240 and 120 lines).
    pub fn vga(tint: (u8, u8)) -> FakeCamera {
        FakeCamera {
            width: 640,
            height: 480,
            fps: 15,
            frames: 30,
            tint,
        }
    }

    /// 96×72 at 10 frames per second, a two-second loop: for the crowded rooms that put ten
    /// browsers on two cores, where each page decodes nine of them.
    pub fn tiny(tint: (u8, u8)) -> FakeCamera {
        FakeCamera {
            width: 96,
            height: 72,
            fps: 10,
            frames: 20,
            tint,
        }
    }

    /// Writes the file: a mid-grey background tinted with [`FakeCamera::tint`] and a white
    /// square that moves diagonally by a few pixels per frame (YUV 4:2:0, progressive).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let (w, h) = (self.width, self.height);
        let side = h / 4;
        let header = format!("YUV4MPEG2 W{w} H{h} F{}:1 Ip A1:1 C420jpeg\n", self.fps);
        let mut bytes = header.into_bytes();
        for frame in 0..self.frames {
            bytes.extend_from_slice(b"FRAME\n");
            let x0 = frame * (w - side) / self.frames;
            let y0 = frame * (h - side) / self.frames;
            for y in 0..h {
                for x in 0..w {
                    let inside = (x0..x0 + side).contains(&x) && (y0..y0 + side).contains(&y);
                    bytes.push(if inside { 235 } else { 110 });
                }
            }
            let chroma = (w / 2) * (h / 2);
            bytes.extend(std::iter::repeat_n(self.tint.0, chroma));
            bytes.extend(std::iter::repeat_n(self.tint.1, chroma));
        }
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::FakeCamera;

    #[test]
    fn file_is_a_header_then_frames_of_y_u_and_v_planes() {
        let dir = std::env::temp_dir().join(format!("fake-camera-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cam.y4m");
        let camera = FakeCamera::small((90, 160));
        camera.write(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let header = b"YUV4MPEG2 W160 H120 F15:1 Ip A1:1 C420jpeg\n";
        assert!(bytes.starts_with(header));
        let frame = b"FRAME\n".len() + 160 * 120 * 3 / 2;
        assert_eq!(bytes.len(), header.len() + 30 * frame);
        let first = &bytes[header.len()..header.len() + frame];
        let second = &bytes[header.len() + frame..header.len() + 2 * frame];
        assert!(first.starts_with(b"FRAME\n") && second.starts_with(b"FRAME\n"));
        assert_ne!(first, second, "the square moves between frames");
        assert_eq!(first[frame - 1], 160, "V plane last");
    }
}
