using System.Text;

namespace Petrel.Config;

/// <summary>
/// Reads strongSwan's "settings" syntax (strongswan.conf(5), swanctl.conf(5)):
/// <c>name { … }</c> sections, <c>key = value</c> with the value running to the end of the line,
/// <c>"quoted strings"</c> with backslash escapes (which may span lines), <c>#</c> comments,
/// <c>include PATTERN</c> (relative to the including file, globs allowed) that reads the
/// files into the section where the include stands, and <c>name : base1, base2 { … }</c> section
/// inheritance (<see cref="SettingsInheritance"/>). Every key keeps its file and line.
/// </summary>
public static class SettingsParser
{
    private const int MaxIncludeDepth = 16;

    /// <summary>Parses a file (and what it includes) into a root section.</summary>
    public static SettingsSection ParseFile(string path)
    {
        var root = new SettingsSection("", "", path, 0);
        var text = ReadFile(path, path, 0);
        new Reader(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", 0, [Path.GetFullPath(path)]).ParseInto(root);
        SettingsInheritance.Resolve(root);
        return root;
    }

    /// <summary>Parses text as if it were the file <paramref name="file"/> (includes resolve against <paramref name="directory"/>).</summary>
    public static SettingsSection ParseText(string text, string file = "swanctl.conf", string? directory = null)
    {
        var root = new SettingsSection("", "", file, 0);
        new Reader(text, file, directory ?? Directory.GetCurrentDirectory(), 0, []).ParseInto(root);
        SettingsInheritance.Resolve(root);
        return root;
    }

    private static string ReadFile(string path, string fromFile, int fromLine)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => e.Message,
            };
            throw new ConfigException(fromFile, fromLine, fromLine == 0 ? $"cannot read the config: {reason}" : $"cannot include '{path}': {reason}");
        }
    }

    private sealed class Reader(string text, string file, string directory, int depth, HashSet<string> includeChain)
    {
        private int _pos;
        private int _line = 1;

        public void ParseInto(SettingsSection root)
        {
            var stack = new Stack<SettingsSection>();
            stack.Push(root);
            while (true)
            {
                SkipBlank();
                if (_pos >= text.Length)
                    break;
                char c = text[_pos];
                var current = stack.Peek();
                if (c == '}')
                {
                    if (stack.Count == 1)
                        Fail($"unbalanced '}}': no section is open here");
                    _pos++;
                    stack.Pop();
                    continue;
                }
                int nameLine = _line;
                string name = ReadName();
                if (name.Length == 0)
                    Fail($"unexpected '{Printable(c)}'");

                // "include" followed by a pattern (not "=" or "{") pulls in other files here.
                if (name == "include" && !NextIsOperator())
                {
                    string pattern = ReadValue();
                    if (pattern.Length == 0)
                        Fail("include needs a file name or pattern");
                    Include(pattern, current, nameLine);
                    continue;
                }

                SkipBlank();
                if (_pos >= text.Length)
                    Fail($"expected '=' or '{{' after '{name}'", nameLine);
                c = text[_pos];
                if (c == '{')
                {
                    _pos++;
                    stack.Push(current.GetOrAddSection(name, file, nameLine));
                }
                else if (c == '=')
                {
                    _pos++;
                    string value = ReadValue();
                    current.SetEntry(new SettingsEntry(name, value, file, nameLine));
                }
                else if (c == ':')
                {
                    // "name : base1, base2.sub {": references, resolved when the whole file is read (SettingsInheritance).
                    _pos++;
                    var references = new List<SettingsReference>();
                    while (true)
                    {
                        SkipBlank();
                        int refLine = _line;
                        string reference = ReadName();
                        if (reference.Length == 0 || reference.StartsWith('.') || reference.EndsWith('.') || reference.Contains(".."))
                            Fail($"section '{name}': expected the name of a section to inherit from after ':'", refLine);
                        references.Add(new SettingsReference(reference, file, refLine));
                        SkipBlank();
                        if (_pos < text.Length && text[_pos] == ',') { _pos++; continue; }
                        break;
                    }
                    if (_pos >= text.Length || text[_pos] != '{')
                        Fail($"expected '{{' after the sections '{name}' inherits from", nameLine);
                    _pos++;
                    var section = current.GetOrAddSection(name, file, nameLine);
                    foreach (var r in references)
                        section.AddReference(r);
                    stack.Push(section);
                }
                else
                {
                    Fail($"expected '=' or '{{' after '{name}'", nameLine);
                }
            }
            if (stack.Count > 1)
            {
                var open = stack.Peek();
                throw new ConfigException(file, _line, $"missing '}}': section '{open.Path}' opened at {open.File}:{open.Line} is not closed");
            }
        }

        private bool NextIsOperator()
        {
            int p = _pos;
            while (p < text.Length && (text[p] == ' ' || text[p] == '\t')) p++;
            return p >= text.Length || text[p] is '=' or '{' or '\n' or '\r' or ':';
        }

        private void Include(string pattern, SettingsSection into, int line)
        {
            if (depth >= MaxIncludeDepth)
                Fail($"includes nested more than {MaxIncludeDepth} deep", line);
            string full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(directory, pattern);
            List<string> files;
            if (pattern.IndexOfAny(['*', '?']) >= 0)
            {
                // A glob that matches nothing is not an error, as in strongSwan.
                files = Glob.Expand(full);
            }
            else
            {
                if (!File.Exists(full))
                    Fail($"include '{pattern}': no such file ({full})", line);
                files = [full];
            }
            foreach (var f in files)
            {
                string canonical = Path.GetFullPath(f);
                if (includeChain.Contains(canonical))
                    Fail($"include '{pattern}' includes {canonical} again (include loop)", line);
                string content = ReadFile(f, file, line);
                var chain = new HashSet<string>(includeChain) { canonical };
                // An included file must be balanced on its own; its keys land in the including section.
                new Reader(content, f, Path.GetDirectoryName(canonical) ?? ".", depth + 1, chain).ParseInto(into);
            }
        }

        /// <summary>Skips spaces, newlines and comments.</summary>
        private void SkipBlank()
        {
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (c == '\n') { _line++; _pos++; }
                else if (c is ' ' or '\t' or '\r') _pos++;
                else if (c == '#') SkipComment();
                else break;
            }
        }

        private void SkipComment()
        {
            while (_pos < text.Length && text[_pos] != '\n') _pos++;
        }

        private string ReadName()
        {
            int start = _pos;
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (char.IsWhiteSpace(c) || c is '{' or '}' or '=' or '#' or '"' or ':' or ',')
                    break;
                _pos++;
            }
            return text[start.._pos];
        }

        /// <summary>The value after '=': a quoted string, or the rest of the line up to a comment, trimmed.</summary>
        private string ReadValue()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t') _pos++;
            if (_pos < text.Length && text[_pos] == '"')
            {
                string quoted = ReadQuoted();
                while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\r') _pos++;
                if (_pos < text.Length && text[_pos] == '#') SkipComment();
                if (_pos < text.Length && text[_pos] is not '\n' and not '}')
                    Fail($"unexpected text after the closing quote: '{RestOfLine()}'");
                return quoted;
            }
            // An unquoted value ends at the line's end, a comment, or a '}' that closes the section on the same
            // line, as strongSwan's lexer ends it: "remote { id = left }" is id "left" (quote a value holding '}').
            int start = _pos;
            while (_pos < text.Length && text[_pos] is not '\n' and not '#' and not '}') _pos++;
            string value = text[start.._pos].Trim();
            if (_pos < text.Length && text[_pos] == '#') SkipComment();
            return value;
        }

        private string ReadQuoted()
        {
            int startLine = _line;
            _pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length)
                    Fail("a quoted string is not closed", startLine);
                char c = text[_pos++];
                if (c == '"')
                    return sb.ToString();
                if (c == '\n') _line++;
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (_pos >= text.Length)
                    Fail("a quoted string is not closed", startLine);
                char e = text[_pos++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case '\\': sb.Append('\\'); break;
                    case '"': sb.Append('"'); break;
                    case '\n': _line++; break; // line continuation
                    default: sb.Append('\\').Append(e); break;
                }
            }
        }

        private string RestOfLine()
        {
            int end = text.IndexOf('\n', _pos);
            return (end < 0 ? text[_pos..] : text[_pos..end]).Trim();
        }

        private static string Printable(char c) => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString();

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private void Fail(string message, int line = -1) =>
            throw new ConfigException(file, line < 0 ? _line : line, message);
    }
}
