package plan

// DecodeFast exposes the fast path alone, so tests can tell when it
// declined an input (Unmarshal then uses encoding/json).
var DecodeFast = decodeFast
