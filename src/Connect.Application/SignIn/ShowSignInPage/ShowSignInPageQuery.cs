using MediatR;

namespace Connect.Application.SignIn.ShowSignInPage;

/// <summary>What <c>GET /sign-in?exposure-key=K</c> shows: the inquiry's application and whether it can go on.</summary>
public sealed record ShowSignInPageQuery(string ExposureKey) : IRequest<SignInOutcome<InquiryPage>>;
