using Connect.Application.Inquiries;
using FluentValidation;

namespace Connect.Application.Redeem;

public sealed class RedeemCommandValidator : AbstractValidator<RedeemCommand>
{
    public RedeemCommandValidator()
    {
        RuleFor(command => command.ExposureKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
        RuleFor(command => command.HiddenKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
        RuleFor(command => command.ConfirmationKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
    }
}
