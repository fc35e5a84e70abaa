#![no_main]
// The body lives in energistasjon::fuzzing, so tests/fuzz_corpus.rs replays the corpus on stable.
libfuzzer_sys::fuzz_target!(|data: &[u8]| energistasjon::fuzzing::tile_params(data));
