namespace Connect.Application.Observability;

/// <summary>
/// What a use case learned about its request that the access log may name, told as it learns it: the application
/// whose published key verified the credential (a session token's signature), and the session the request
/// concerned (logged as a short hash only, never the sid). Before the signature verifies, a token's <c>aud</c> or
/// <c>iss</c> is just the sender's text and must not be told. Outside HTTP (the CLI) nobody listens.
/// </summary>
public interface IRequestObservation
{
    void SignedBy(ApplicationAnchor application);

    void ConcernsSession(SessionId session);
}

/// <summary>The observation where no request is observed (the CLI, tests without HTTP).</summary>
internal sealed class UnobservedRequest : IRequestObservation
{
    public void SignedBy(ApplicationAnchor application)
    {
    }

    public void ConcernsSession(SessionId session)
    {
    }
}
