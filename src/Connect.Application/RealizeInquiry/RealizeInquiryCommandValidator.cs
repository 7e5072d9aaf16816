using Connect.Application.Inquiries;
using FluentValidation;

namespace Connect.Application.RealizeInquiry;

public sealed class RealizeInquiryCommandValidator : AbstractValidator<RealizeInquiryCommand>
{
    public RealizeInquiryCommandValidator()
    {
        RuleFor(command => command.ExposureKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
        RuleFor(command => command.How).IsInEnum();
    }
}
