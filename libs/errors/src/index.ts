// @brandwright/errors: the one coded error type, shared by the libraries and the API. Plain
// TypeScript with no dependencies, so any library (and the dashboard) can use it.
export * from './coded-error';
