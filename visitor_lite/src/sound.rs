//! The chime of a reply the customer cannot see right now: two short, quiet tones (a browser
//! that refuses audio stays silent).

use std::cell::RefCell;

thread_local! {
    static CONTEXT: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
}

/// Plays the chime.
pub fn chime() {
    CONTEXT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = web_sys::AudioContext::new().ok();
        }
        let Some(context) = slot.as_ref() else {
            return;
        };
        let start = context.current_time();
        for (i, frequency) in [880.0f32, 1320.0].into_iter().enumerate() {
            let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
                return;
            };
            tone.frequency().set_value(frequency);
            gain.gain().set_value(0.06);
            let at = start + i as f64 * 0.12;
            let _ = tone
                .connect_with_audio_node(&gain)
                .and_then(|_| gain.connect_with_audio_node(&context.destination()));
            let _ = tone.start_with_when(at);
            let _ = tone.stop_with_when(at + 0.1);
        }
    });
}
