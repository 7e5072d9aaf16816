using Connect.Domain.Applications;

namespace Connect.Application.RateBudget;

/// <summary>
/// Each application's request budget (docs/contract/revoke-all.md: <c>429 RateLimited</c>). It is spent only once a request has
/// proved which application it comes for (a verified client JWT or a verified session token), so one application
/// can never spend another's budget and unauthenticated traffic never reaches it. One budget per application,
/// shared by every endpoint.
/// </summary>
public interface IApplicationRateBudget
{
    /// <returns><c>true</c> when the request may go on; <c>false</c> when the budget is spent (answer <c>RateLimited</c>).</returns>
    bool TrySpend(ApplicationAnchor application);
}
