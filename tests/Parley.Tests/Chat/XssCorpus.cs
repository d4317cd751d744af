namespace Parley.Tests.Chat;

/// <summary>
/// Script-injection payloads for every field a website visitor writes (quality bar: ≥ 200 payloads, 0 executions in the
/// dashboard and the widget). Each payload, when it runs, calls <c>window.__xss(n)</c>; tests define that function and
/// assert it was never called (and no dialog opened). Vectors cover element and attribute contexts, event handlers,
/// URLs (javascript:, data:), SVG/MathML, template and encoding tricks; each is wrapped in a few contexts.
/// </summary>
public static class XssCorpus
{
    private static readonly string[] Vectors =
    [
        "<script>__xss(§)</script>",
        "<img src=x onerror=__xss(§)>",
        "<img src=\"x\" onerror=\"__xss(§)\">",
        "<svg onload=__xss(§)>",
        "<svg><script>__xss(§)</script></svg>",
        "<body onload=__xss(§)>",
        "<iframe src=\"javascript:parent.__xss(§)\"></iframe>",
        "<iframe srcdoc=\"<script>parent.__xss(§)</script>\"></iframe>",
        "<a href=\"javascript:__xss(§)\">click</a>",
        "<details open ontoggle=__xss(§)>",
        "<input autofocus onfocus=__xss(§)>",
        "<select autofocus onfocus=__xss(§)>",
        "<textarea autofocus onfocus=__xss(§)>",
        "<video><source onerror=__xss(§)></video>",
        "<audio src=x onerror=__xss(§)>",
        "<object data=\"javascript:__xss(§)\">",
        "<embed src=\"javascript:__xss(§)\">",
        "<math><mtext><img src=x onerror=__xss(§)></mtext></math>",
        "<marquee onstart=__xss(§)>",
        "<div style=\"width:expression(__xss(§))\">",
        "<style>@import 'javascript:__xss(§)';</style>",
        "<link rel=stylesheet href=\"javascript:__xss(§)\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:__xss(§)\">",
        "<form><button formaction=\"javascript:__xss(§)\">x</button></form>",
        "<isindex action=\"javascript:__xss(§)\">",
        "<base href=\"javascript:__xss(§)//\">",
        "<img src=x:x onerror=__xss&#40;§&#41;>",
        "<img src=x onerror=&#95;&#95;xss(§)>",
        "<img src=x onerror=\\u005f\\u005fxss(§)>",
        "<scr<script>ipt>__xss(§)</scr</script>ipt>",
        "<SCRIPT SRC=data:text/javascript,__xss(§)></SCRIPT>",
        "<img src=\"data:image/svg+xml,<svg onload=__xss(§)>\">",
        "<svg><animate onbegin=__xss(§) attributeName=x dur=1s>",
        "<svg><a xlink:href=\"javascript:__xss(§)\"><text x=20 y=20>x</text></a></svg>",
        "<template><img src=x onerror=__xss(§)></template>",
        "<noscript><p title=\"</noscript><img src=x onerror=__xss(§)>\">",
        "<table background=\"javascript:__xss(§)\">",
        "<img src=`x` onerror=`__xss(§)`>",
        "<img/src/onerror=__xss(§)>",
        "<img src=x onerror=window['__x'+'ss'](§)>",
        "javascript:__xss(§)",
        "data:text/html,<script>__xss(§)</script>",
        "\"><script>__xss(§)</script>",
        "'><img src=x onerror=__xss(§)>",
        "\" onmouseover=\"__xss(§)\" x=\"",
        "' autofocus onfocus='__xss(§)' x='",
        "</textarea><script>__xss(§)</script>",
        "</title><script>__xss(§)</script>",
        "<!--<img src=\"--><img src=x onerror=__xss(§)//\">",
        "${__xss(§)}",
        "{{constructor.constructor('__xss(§)')()}}",
        "<x contenteditable onfocus=__xss(§) autofocus>",
        "<img src=x onerror=eval(atob('X194c3MoMCk='))>",
    ];

    private static readonly string[] Wrappers = ["{0}", "Hello {0} there", "<b>{0}</b>", "{0}\n{0}"];

    /// <summary>All payloads, numbered from 1 (the number is what <c>__xss</c> receives).</summary>
    public static IReadOnlyList<string> Payloads { get; } = Build();

    private static List<string> Build()
    {
        var list = new List<string>();
        foreach (var wrapper in Wrappers)
        {
            foreach (var vector in Vectors)
            {
                var n = list.Count + 1;
                list.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, wrapper, vector.Replace("§", n.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
            }
        }
        return list;
    }
}
