using Connect.Application.Inquiries;
using FluentValidation;

namespace Connect.Application.StatusPoll;

public sealed class StatusPollQueryValidator : AbstractValidator<StatusPollQuery>
{
    public StatusPollQueryValidator()
    {
        RuleFor(query => query.ExposureKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
        RuleFor(query => query.HiddenKey).NotEmpty().MaximumLength(InquiryKeys.MaxLength);
    }
}
