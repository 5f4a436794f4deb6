namespace SiteHub.Hub.WebUi;

/// <summary>
/// Names the UI text resources (<c>UiText.resx</c>: Chinese, the default; <c>UiText.en.resx</c>:
/// English) for <c>IStringLocalizer&lt;UiText&gt;</c>.
/// </summary>
public sealed class UiText;
