// What controllers (and the test and bench probes mounted on the API) use to declare who may call a route.
export { ACCESS_POLICY, Authenticated, Public, Roles } from './access-policy.decorators';
export { CurrentUser } from './current-user.decorator';
export { bearerToken } from './bearer-token';
export { AcceptsStreamTicket, type StreamOfRequest } from './stream-ticket';
