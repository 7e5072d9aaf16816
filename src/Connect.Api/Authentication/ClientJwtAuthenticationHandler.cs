using System.Security.Claims;
using System.Text.Encodings.Web;
using Connect.Api.Errors;
using Connect.Api.Requests;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Connect.Api.Authentication;

/// <summary>
/// The HTTP side of the <c>SudomimusClientJWT</c> scheme: hands the Authorization header and the raw body
/// to <see cref="ClientJwtPolicy"/> and answers its reason. All rules live in the policy.
/// </summary>
internal sealed class ClientJwtAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientJwtPolicy policy) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var body = Context.Features.Get<RawJsonBody>()
            ?? throw new InvalidOperationException("The client JWT needs the raw body: the endpoint lacks [RawJsonBody].");

        // Two Authorization headers are ambiguous; treat them as a malformed credential, never pick one.
        var headers = Request.Headers.Authorization;
        var decision = headers.Count > 1
            ? ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtMalformed)
            : await policy.DecideAsync(headers.ToString(), body.Bytes, Context.RequestAborted);

        var outcome = decision.Outcome;
        if (!outcome.Succeeded)
        {
            Context.Features.Set(new ClientJwtRejection(outcome.Failure));
            if (decision.SignedBy is { } signer)
            {
                Context.Features.Set(new SignedByApplication(signer));
            }

            return AuthenticateResult.Fail(outcome.Failure.Name);
        }

        var application = outcome.Value;
        Context.Features.Set(application);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, application.Anchor.Value)], ClientJwtPolicy.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ClientJwtPolicy.Scheme));
    }

    /// <summary>
    /// Every refusal of the policy, <c>403 ApplicationDisabled</c> included, is an authentication failure and answers
    /// here: authorization only requires an authenticated application, so it never forbids one.
    /// </summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ReasonResponse.WriteAsync(Context, Context.Features.Get<ClientJwtRejection>()?.Reason ?? ReasonCode.ClientJwtMissing);

    private sealed record ClientJwtRejection(ReasonCode Reason);
}
