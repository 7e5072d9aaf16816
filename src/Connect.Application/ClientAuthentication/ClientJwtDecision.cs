namespace Connect.Application.ClientAuthentication;

/// <summary>
/// What <see cref="ClientJwtPolicy.DecideAsync"/> answered, and which application signed the request when its
/// signature verified (<c>null</c> before that: the <c>iss</c> of an unverified JWT is anyone's text).
/// </summary>
public readonly record struct ClientJwtDecision(Outcome<AuthenticatedApplication> Outcome, ApplicationAnchor? SignedBy)
{
    /// <summary>A refusal given before any key verified the signature.</summary>
    public static ClientJwtDecision RefusedUnverified(ReasonCode reason) => new(Outcome<AuthenticatedApplication>.Failed(reason), null);
}
