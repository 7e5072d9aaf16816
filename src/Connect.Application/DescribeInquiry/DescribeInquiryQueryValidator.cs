namespace Connect.Application.DescribeInquiry;

public sealed class DescribeInquiryQueryValidator : AbstractValidator<DescribeInquiryQuery>
{
    public DescribeInquiryQueryValidator() =>
        RuleFor(query => query.ExposureKey).ValidInquiryKey();
}
