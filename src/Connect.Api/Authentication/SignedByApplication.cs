using Connect.Domain.Applications;

namespace Connect.Api.Authentication;

/// <summary>
/// Request feature: the application whose key verified the client JWT's signature, set when a later check
/// refused the request anyway, so that the access log can name the misconfigured integration.
/// </summary>
internal sealed record SignedByApplication(ApplicationAnchor Anchor);
