using MediatR;

namespace Connect.Application.SignIn.ShowSignInPage;

public sealed class ShowSignInPageHandler(ISignInInquiries inquiries)
    : IRequestHandler<ShowSignInPageQuery, SignInOutcome<InquiryPage>>
{
    public async Task<SignInOutcome<InquiryPage>> Handle(ShowSignInPageQuery request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!SignInRules.IsKey(request.ExposureKey))
        {
            return SignInFailure.InquiryNotFound;
        }

        var page = await inquiries.DescribeAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
        return page is null ? SignInFailure.InquiryNotFound : page;
    }
}
