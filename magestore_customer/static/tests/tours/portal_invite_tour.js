/* Copyright 2026 Magestore
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// Demo records of magestore_customer (demo_company_1, demo_contact_1 and 2):
// the tour walks the path a newcomer takes on the demo database.
const COMPANY = "Harbor View Outfitters";
const INVITED = ["Olivia Marsh", "Daniel Reyes"];
// Another demo company (demo_company_3), gone from the view once the search ran.
const OTHER_COMPANY = "Sunset Cycles";

const CUSTOMERS_SECTION = "account.menu_finance_receivables";
const CUSTOMERS_MENU = "account.menu_account_customer";

function card(name) {
    return `.o_kanban_record:contains("${name}")`;
}

function contactRow(name) {
    return `.modal .o_data_row:contains("${name}")`;
}

function tickInPortal(name) {
    return [
        {
            content: `Tick "In Portal" for ${name}`,
            trigger: `${contactRow(name)} [name=in_portal] input`,
            run: "click",
        },
        {
            content: `"In Portal" is now ticked for ${name}`,
            trigger: `${contactRow(name)} [name=in_portal] input:checked`,
        },
    ];
}

function seeInvited(name) {
    return {
        content: `${name} is reported as invited`,
        trigger: `${contactRow(name)} [name=result]:contains("Invited")`,
    };
}

registry.category("web_tour.tours").add("magestore_portal_invite_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu",
            trigger: `.o_main_navbar [data-menu-xmlid="${CUSTOMERS_SECTION}"]`,
            run: "click",
        },
        {
            content: "Open the list of customers",
            trigger: `.dropdown-item[data-menu-xmlid="${CUSTOMERS_MENU}"]`,
            run: "click",
        },
        {
            content: `Search for ${COMPANY}`,
            trigger: ".o_searchview_input",
            run: `edit ${COMPANY}`,
        },
        {
            content: "Run the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search is applied",
            trigger: `.o_facet_values:contains("${COMPANY}")`,
        },
        {
            content: "Only the searched customer's cards are left",
            trigger: `.o_kanban_renderer:not(:has(${card(OTHER_COMPANY)}))`,
        },
        {
            content: `Open the company ${COMPANY} (its card has no parent company)`,
            trigger: `${card(COMPANY)}:not(:has([name=parent_id]))`,
            run: "click",
        },
        // The form shows a few smart buttons and hides the others under
        // "More": "Portal Access" must be one of those shown, without expanding.
        {
            content: "Open the portal access wizard from the company form",
            trigger: `.o-form-buttonbox > .oe_stat_button:contains("Portal Access")`,
            run: "click",
        },
        {
            content: "The wizard lists the company's contact points",
            trigger: `${contactRow(INVITED[0])}`,
        },
        ...INVITED.flatMap(tickInPortal),
        {
            content: "Apply",
            trigger: ".modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "The wizard reports that it has applied the lines",
            trigger: ".modal .alert-success",
        },
        ...INVITED.map(seeInvited),
        {
            content: "Close the wizard",
            trigger: ".modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "Back on the company form",
            trigger: `.o_form_view .o_breadcrumb:contains("${COMPANY}")`,
        },
        {
            content: "Open the Contacts & Addresses tab",
            trigger: ".o_notebook_headers a[name=contact_addresses]",
            run: "click",
        },
        {
            content: "Open the wizard again from the button next to the people",
            trigger: `.o_notebook button:contains("Portal Access")`,
            run: "click",
        },
        ...INVITED.map((name) => ({
            content: `${name} is now shown In Portal`,
            trigger: `${contactRow(name)} [name=in_portal] input:checked`,
        })),
        {
            content: "Close the wizard without changing anything",
            trigger: ".modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
