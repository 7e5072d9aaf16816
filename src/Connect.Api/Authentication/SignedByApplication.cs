namespace Connect.Api.Authentication;

/// <summary>
/// Request feature: the application whose published key verified the request's credential, so that the access log
/// can name it on every answer that follows, refusals included (the misconfigured integration). Set by the client-JWT
/// handler when a later check refused the request, and by the use cases of session tokens once a token's signature
/// verified (through <see cref="Application.Observability.IRequestObservation"/>). Never set before a signature
/// verified: until then an <c>iss</c> or <c>aud</c> is just the sender's text.
/// </summary>
internal sealed record SignedByApplication(ApplicationAnchor Anchor);
