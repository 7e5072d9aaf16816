namespace Connect.Api.Observability;

/// <summary>
/// Hands what a use case tells (<see cref="IRequestObservation"/>) to the request it runs in, for
/// <see cref="EndpointObserver"/>. The mediator resolves handlers from the root container, so they cannot take the
/// request's scope: the request is found through the ambient <see cref="IHttpContextAccessor"/>.
/// </summary>
internal sealed class HttpRequestObservation(IHttpContextAccessor requests) : IRequestObservation
{
    public void SignedBy(ApplicationAnchor application) =>
        requests.HttpContext?.Features.Set(new SignedByApplication(application));

    public void ConcernsSession(SessionId session) =>
        requests.HttpContext?.Features.Get<ObservedOutcome>()?.SetSession(session);
}
