namespace Connect.Application.Passkeys.Enrollment;

/// <summary>What <c>GET /sign-in/enroll?token=T</c> shows: whether the link can still add a passkey.</summary>
public sealed record ShowEnrollmentPageQuery(string Token) : IRequest<SignInOutcome<EnrollmentPage>>;

public sealed record EnrollmentPage(DateTimeOffset ExpiresAt);

/// <summary>The enrollment page's first call: a registration challenge bound to the link.</summary>
public sealed record StartEnrollmentCommand(string Token) : IRequest<SignInOutcome<SignIn.StartPasskeyCeremony.CeremonyStarted>>;

/// <summary>The enrollment page's second call: the new credential, added to the link's account.</summary>
/// <param name="ExposureKey">
/// An inquiry the person is waiting on (a support desk appends <c>&amp;exposure-key=K</c> to the link): once the
/// passkey is added, it is realized for the link's account, audited as <c>enrollment</c>.
/// </param>
public sealed record FinishEnrollmentCommand(string Token, Guid Ceremony, ReadOnlyMemory<byte> Credential, string? ExposureKey = null)
    : IRequest<SignInOutcome<Enrolled>>;

/// <param name="Realized">The inquiry realized along with it, when one was named.</param>
public sealed record Enrolled(RealizedInquiry? Realized = null);
