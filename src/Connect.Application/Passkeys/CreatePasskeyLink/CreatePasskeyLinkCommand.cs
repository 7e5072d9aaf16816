namespace Connect.Application.Passkeys.CreatePasskeyLink;

/// <summary><c>account passkey-link</c>: a one-time link that adds a passkey to an existing account.</summary>
/// <param name="ExpiresInSeconds">The link's lifetime; <see cref="PasskeyOptions.DefaultEnrollmentLinkSeconds"/> when null.</param>
public sealed record CreatePasskeyLinkCommand(AccountId Account, int? ExpiresInSeconds)
    : IRequest<AdministrationOutcome<PasskeyLink>>;

public sealed record PasskeyLink(AccountId Account, Uri Url, DateTimeOffset ExpiresAt);
