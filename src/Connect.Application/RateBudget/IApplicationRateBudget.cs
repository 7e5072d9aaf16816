namespace Connect.Application.RateBudget;

/// <summary>
/// Each application's request budget (docs/contract/revoke-all.md: <c>429 RateLimited</c>). It is spent only once a request has
/// proved which application it comes for (a verified client JWT or a verified session token), so one application
/// can never spend another's budget and unauthenticated traffic never reaches it. Three kinds of bucket, so that
/// no single credential can starve its application (docs/decisions.md, "Budgets per session"):
/// <list type="bullet">
/// <item>the application's ceiling, with the contract's figures, spent by <c>/establish</c> and by every session;</item>
/// <item>one budget per session, spent first by the session-token endpoints: one token held by one client runs dry
/// on its own long before the ceiling;</item>
/// <item><c>/revoke-all</c>'s own bucket per application, with the contract's figures, so a flood of session
/// traffic can never keep an application from logging its users out.</item>
/// </list>
/// A session known to have ended spends only its own budget, never the application's ceiling.
/// </summary>
public interface IApplicationRateBudget
{
    /// <summary>The application's ceiling alone (a client-JWT endpoint other than <c>/revoke-all</c>).</summary>
    /// <returns><c>true</c> when the request may go on; <c>false</c> when the budget is spent (answer <c>RateLimited</c>).</returns>
    bool TrySpend(ApplicationAnchor application);

    /// <summary>The session's own budget, then (unless the session is known to have ended) the application's ceiling.</summary>
    /// <returns><c>true</c> when the request may go on; <c>false</c> when either is spent (answer <c>RateLimited</c>).</returns>
    bool TrySpend(ApplicationAnchor application, SessionId session);

    /// <summary><c>/revoke-all</c>'s own budget of the application.</summary>
    /// <returns><c>true</c> when the request may go on; <c>false</c> when it is spent (answer <c>RateLimited</c>).</returns>
    bool TrySpendRevokeAll(ApplicationAnchor application);

    /// <summary>
    /// Gives back the token <see cref="TrySpendRevokeAll"/> took, for a request its client JWT refused after all: the
    /// replay record, written with the revocation, found a replay (or a disabled application), a check the contract puts
    /// before the budget. A replayed token must not drain the application's bucket.
    /// </summary>
    void RefundRevokeAll(ApplicationAnchor application);

    /// <summary>
    /// Tells the budget that a read found the session ended for good (revoked, expired, its account deleted): its
    /// later requests spend no more of the application's ceiling. Never called for a state that can be undone (a
    /// disabled application or account).
    /// </summary>
    void SessionEnded(SessionId session);
}
