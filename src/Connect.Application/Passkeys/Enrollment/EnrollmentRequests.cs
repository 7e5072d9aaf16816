using Connect.Application.SignIn;
using MediatR;

namespace Connect.Application.Passkeys.Enrollment;

/// <summary>What <c>GET /sign-in/enroll?token=T</c> shows: whether the link can still add a passkey.</summary>
public sealed record ShowEnrollmentPageQuery(string Token) : IRequest<SignInOutcome<EnrollmentPage>>;

public sealed record EnrollmentPage(DateTimeOffset ExpiresAt);

/// <summary>The enrollment page's first call: a registration challenge bound to the link.</summary>
public sealed record StartEnrollmentCommand(string Token) : IRequest<SignInOutcome<SignIn.StartPasskeyCeremony.CeremonyStarted>>;

/// <summary>The enrollment page's second call: the new credential, added to the link's account.</summary>
public sealed record FinishEnrollmentCommand(string Token, Guid Ceremony, ReadOnlyMemory<byte> Credential)
    : IRequest<SignInOutcome<Enrolled>>;

public sealed record Enrolled;
