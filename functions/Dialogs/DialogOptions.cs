using Microsoft.Extensions.Options;

namespace Parley.Functions.Dialogs;

/// <summary>Settings of section <c>Dialogs</c>.</summary>
public sealed class DialogOptions
{
    public const string SectionName = "Dialogs";

    /// <summary>
    /// How long an alert's orchestration waits for the writer's "written" event before it looks for the message itself
    /// (the writer may have died between its write and the event). Travels in the orchestration's input.
    /// </summary>
    public TimeSpan HandOverWait { get; set; } = TimeSpan.FromMinutes(1);

    internal sealed class Validator : IValidateOptions<DialogOptions>
    {
        public ValidateOptionsResult Validate(string? name, DialogOptions o) =>
            o.HandOverWait < TimeSpan.FromSeconds(1) || o.HandOverWait > TimeSpan.FromHours(1)
                ? ValidateOptionsResult.Fail($"'{SectionName}__HandOverWait' must be between 00:00:01 and 01:00:00, not {o.HandOverWait}.")
                : ValidateOptionsResult.Success;
    }
}
