package io.prognos.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * A query with named parameters ({@code :device_id}) turned into a JDBC statement with {@code ?}
 * placeholders and the parameter order. Values are always bound, never spliced into the text.
 * {@code ::} (PostgreSQL casts) and quoted text are left alone.
 */
record NamedSql(String jdbcSql, List<String> order) {

    static NamedSql parse(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> order = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char ch = sql.charAt(i);
            if (ch == '\'') {
                int end = sql.indexOf('\'', i + 1);
                end = end < 0 ? sql.length() - 1 : end;
                out.append(sql, i, end + 1);
                i = end + 1;
            } else if (ch == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (ch == ':' && i + 1 < sql.length() && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int j = i + 1;
                while (j < sql.length() && Character.isJavaIdentifierPart(sql.charAt(j))) {
                    j++;
                }
                order.add(sql.substring(i + 1, j));
                out.append('?');
                i = j;
            } else {
                out.append(ch);
                i++;
            }
        }
        return new NamedSql(out.toString(), List.copyOf(order));
    }
}
