namespace Connect.Application.DescribeInquiry;

public sealed class DescribeInquiryHandler(IInquiryStore inquiries, TimeProvider clock)
    : IRequestHandler<DescribeInquiryQuery, InquiryDescription>
{
    public async Task<InquiryDescription> Handle(DescribeInquiryQuery request, CancellationToken cancellationToken)
    {
        var inquiry = await inquiries.FindAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
        var state = InquiryStates.Of(inquiry, clock.GetUtcNow());
        if (state == InquiryState.Unknown)
        {
            return InquiryDescription.Unknown;
        }

        var application = inquiry!.Application!;
        return new InquiryDescription(
            state, application.Anchor.Value, application.Name, application.SignUpOpen, inquiry.ExpiresAt);
    }
}
