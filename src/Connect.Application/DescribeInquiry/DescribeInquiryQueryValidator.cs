using Connect.Application.Inquiries;
using FluentValidation;

namespace Connect.Application.DescribeInquiry;

public sealed class DescribeInquiryQueryValidator : AbstractValidator<DescribeInquiryQuery>
{
    public DescribeInquiryQueryValidator() =>
        RuleFor(query => query.ExposureKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
}
