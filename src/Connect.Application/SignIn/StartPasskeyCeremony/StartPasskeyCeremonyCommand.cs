namespace Connect.Application.SignIn.StartPasskeyCeremony;

/// <summary>The page's first call: a challenge for signing in (or up) on this inquiry.</summary>
/// <param name="Purpose"><see cref="CeremonyPurpose.SignIn"/> or <see cref="CeremonyPurpose.SignUp"/>.</param>
public sealed record StartPasskeyCeremonyCommand(string ExposureKey, CeremonyPurpose Purpose)
    : IRequest<SignInOutcome<CeremonyStarted>>;

/// <summary>The ceremony's id (the page sends it back) and the options for the browser's WebAuthn call, as JSON.</summary>
public sealed record CeremonyStarted(Guid Ceremony, string Options);
