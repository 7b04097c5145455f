export { replay, type InjectReason, type ReplayCounts, type ReplayOptions, type ReplayResult, type StartState } from './replay.js';
export { runDirectory, runTranscript, formatOutcome, summary, type Outcome } from './runner.js';
export { readTranscript, transcriptFiles, type Step, type Transcript } from './transcript.js';
